package io.ringcache.router.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.router.control.InvalidScaleRequestException;
import io.ringcache.router.control.ScaleConflictException;
import io.ringcache.router.control.UnknownNodeException;
import org.junit.jupiter.api.Test;

/** ApiException.of: the HTTP status and text the admin API answers a refused scale request with. */
class ApiExceptionTest {

  @Test
  void of_invalidRequest_is400WithItsMessage() {
    ApiException api = ApiException.of(new InvalidScaleRequestException("weight must be between 1 and 100: 0"));
    assertThat(api.status()).isEqualTo(400);
    assertThat(api.getMessage()).isEqualTo("weight must be between 1 and 100: 0");
  }

  @Test
  void of_conflictWithTheClusterState_is409WithItsMessage() {
    ApiException api = ApiException.of(new ScaleConflictException("scale event ev-1 (JOIN a:1) is under way; try again when it finishes"));
    assertThat(api.status()).isEqualTo(409);
    assertThat(api.getMessage()).isEqualTo("scale event ev-1 (JOIN a:1) is under way; try again when it finishes");
  }

  @Test
  void of_unknownNode_is404WithItsMessage() {
    ApiException api = ApiException.of(new UnknownNodeException("no such node: a:1"));
    assertThat(api.status()).isEqualTo(404);
    assertThat(api.getMessage()).isEqualTo("no such node: a:1");
  }
}
