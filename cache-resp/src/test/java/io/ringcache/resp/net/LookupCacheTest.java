package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Security;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which failed-lookup lifetime a server process ends up with (the successful lookup's is checked by
 * FaultScenariosIT scenario 12 with real processes, as is the failed lookup's effect).
 */
class LookupCacheTest {

  private String negativeBefore;

  @BeforeEach
  void remember() {
    negativeBefore = Security.getProperty(LookupCache.NEGATIVE_TTL_PROPERTY);
  }

  @AfterEach
  void restore() {
    Security.setProperty(LookupCache.NEGATIVE_TTL_PROPERTY, negativeBefore == null ? LookupCache.JDK_NEGATIVE_TTL : negativeBefore);
    System.clearProperty(LookupCache.LEGACY_NEGATIVE_TTL_PROPERTY);
    System.clearProperty(LookupCache.SECURITY_FILE_PROPERTY);
  }

  @Test
  void theJdksTenSeconds_becomeOne() {
    assertThat(negativeBefore).as("the JDK's java.security").isEqualTo(LookupCache.JDK_NEGATIVE_TTL);
    LookupCache.shortenUnlessChosen();
    assertThat(Security.getProperty(LookupCache.NEGATIVE_TTL_PROPERTY)).isEqualTo("1");
  }

  @Test
  void anotherValue_isTheOperators_andStays() {
    Security.setProperty(LookupCache.NEGATIVE_TTL_PROPERTY, "3");
    LookupCache.shortenUnlessChosen();
    assertThat(Security.getProperty(LookupCache.NEGATIVE_TTL_PROPERTY)).isEqualTo("3");
  }

  @Test
  void aSecurityPropertiesFile_leavesTheValueAlone_evenTheJdksOwn() {
    System.setProperty(LookupCache.SECURITY_FILE_PROPERTY, "/etc/ringcache/java.security");
    LookupCache.shortenUnlessChosen();
    assertThat(Security.getProperty(LookupCache.NEGATIVE_TTL_PROPERTY)).isEqualTo(LookupCache.JDK_NEGATIVE_TTL);
  }

  @Test
  void theLegacySystemProperty_isApplied() {
    System.setProperty(LookupCache.LEGACY_NEGATIVE_TTL_PROPERTY, "0");
    LookupCache.shortenUnlessChosen();
    assertThat(Security.getProperty(LookupCache.NEGATIVE_TTL_PROPERTY)).isEqualTo("0");
  }
}
