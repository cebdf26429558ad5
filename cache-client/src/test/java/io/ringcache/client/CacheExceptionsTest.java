package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.Redirect;
import org.junit.jupiter.api.Test;

class CacheExceptionsTest {

  @Test
  void fromServerError_errPrefix_isServerExceptionWithCodeAndAddress() {
    CacheException e = CacheExceptions.fromServerError("127.0.0.1:7001", "ERR value is not an integer or out of range");
    assertThat(e).isExactlyInstanceOf(CacheServerException.class).hasMessageContaining("127.0.0.1:7001");
    assertThat(((CacheServerException) e).code()).isEqualTo("ERR");
  }

  @Test
  void fromServerError_wrongType_keepsItsCode() {
    CacheException e = CacheExceptions.fromServerError("n:1", "WRONGTYPE Operation against a key");
    assertThat(((CacheServerException) e).code()).isEqualTo("WRONGTYPE");
  }

  @Test
  void fromServerError_authErrors_areAuthenticationExceptions() {
    assertThat(CacheExceptions.fromServerError("n:1", "NOAUTH Authentication required."))
        .isInstanceOf(CacheAuthenticationException.class);
    assertThat(CacheExceptions.fromServerError("n:1", "WRONGPASS invalid username-password pair"))
        .isInstanceOf(CacheAuthenticationException.class);
    assertThat(CacheExceptions.fromServerError("n:1", "ERR invalid password"))
        .isInstanceOf(CacheAuthenticationException.class);
  }

  @Test
  void fromServerError_movedOrTryAgainThatReachesTheCaller_isRedirectException() {
    assertThat(CacheExceptions.fromServerError("n:1", "MOVED 3 127.0.0.1:7002")).isInstanceOf(CacheRedirectException.class);
    assertThat(CacheExceptions.fromServerError("n:1", "TRYAGAIN handoff")).isInstanceOf(CacheRedirectException.class);
  }

  @Test
  void parseMoved_wellFormed_givesEpochAndAddress() {
    assertThat(CacheExceptions.parseMoved("MOVED 12 127.0.0.1:7002"))
        .isEqualTo(Redirect.moved(12, "127.0.0.1:7002"));
  }

  @Test
  void parseMoved_malformedOrOtherError_isNull() {
    assertThat(CacheExceptions.parseMoved("MOVED x 127.0.0.1:7002")).isNull();
    assertThat(CacheExceptions.parseMoved("MOVED 3")).isNull();
    assertThat(CacheExceptions.parseMoved("MOVED 3 nohostport")).isNull();
    assertThat(CacheExceptions.parseMoved("MOVEDX 3 127.0.0.1:1")).isNull();
    assertThat(CacheExceptions.parseMoved("ERR MOVED 3 127.0.0.1:1")).isNull();
  }

  @Test
  void isUnknownCommand_redisReply_isRecognised() {
    assertThat(CacheExceptions.isUnknownCommand("ERR unknown command 'RING.TOPOLOGY', with args beginning with: "))
        .isTrue();
    assertThat(CacheExceptions.isUnknownCommand("ERR syntax error")).isFalse();
  }
}
