package io.ringcache.ring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The topology document: JSON through Jackson, the form persisted by the router and sent to nodes. */
public final class TopologyJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(SerializationFeature.INDENT_OUTPUT, false);

  private TopologyJson() {}

  /** The shared, configured mapper (thread-safe). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static String write(Topology topology) {
    try {
      return MAPPER.writeValueAsString(topology);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] writeBytes(Topology topology) {
    try {
      return MAPPER.writeValueAsBytes(topology);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a topology document.
   *
   * @throws IllegalArgumentException if it is not valid JSON or not a valid topology, with a message
   *     that says why
   */
  public static Topology read(byte[] json) {
    try {
      Topology topology = MAPPER.readValue(json, Topology.class);
      if (topology == null) {
        throw new IllegalArgumentException("not a topology document: null");
      }
      return topology;
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new IllegalArgumentException("invalid topology document: " + cause.getMessage(), e);
    }
  }

  public static Topology read(String json) {
    return read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
