package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Placement equals real nginx's: vectors made by tools/nginx-vectors.sh with nginx-light. */
class HashRingNginxVectorsTest {

  private static final Pattern SERVER = Pattern.compile("^# server (\\S+) weight=(\\d+)$");

  @Test
  void ownerOf_placesEveryKeyOnTheServerNginxChose() throws IOException {
    HashRing.Builder builder = HashRing.builder();
    List<String[]> vectors = new ArrayList<>();
    try (InputStream in = getClass().getResourceAsStream("/nginx-vectors.csv");
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        Matcher server = SERVER.matcher(line);
        if (server.matches()) {
          builder.add(server.group(1), Integer.parseInt(server.group(2)));
        } else if (!line.startsWith("#")) {
          int comma = line.lastIndexOf(',');
          vectors.add(new String[] {line.substring(0, comma), line.substring(comma + 1)});
        }
      }
    }
    HashRing ring = builder.build();
    assertThat(ring.nodeNames()).hasSizeGreaterThanOrEqualTo(5);
    assertThat(vectors).hasSizeGreaterThanOrEqualTo(2000);

    List<String> mismatches = new ArrayList<>();
    for (String[] vector : vectors) {
      String owner = ring.ownerOf(vector[0].getBytes(StandardCharsets.UTF_8));
      if (!owner.equals(vector[1])) {
        mismatches.add(vector[0] + ": nginx " + vector[1] + ", ours " + owner);
      }
    }
    assertThat(mismatches).isEmpty();
    // every server of the block received some keys, so each one's points were checked
    assertThat(vectors.stream().map(v -> v[1]).distinct()).hasSameSizeAs(ring.nodeNames());
  }
}
