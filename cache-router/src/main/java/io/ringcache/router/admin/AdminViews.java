package io.ringcache.router.admin;

import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.router.control.ControlPlane;
import io.ringcache.router.control.HealthChecker;
import io.ringcache.router.control.ScaleEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents the admin API answers with ({@code /health}, {@code /handoffs}, {@code
 * /events/ID}, {@code /nodes}, {@code /nodes/NAME}, and the scale event a POST, PUT or DELETE
 * started), read from the control plane; the field order of each is part of the API.
 */
final class AdminViews {

  private final ControlPlane control;

  AdminViews(ControlPlane control) {
    this.control = control;
  }

  Map<String, Object> health() {
    Topology t = control.topology();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", "UP");
    json.put("epoch", t.epoch());
    json.put("nodes", t.nodes().size());
    json.put("nodesInRing", t.ring().nodeNames().size());
    json.put("handoffs", t.handoffs().size());
    return json;
  }

  Map<String, Object> handoffs() {
    Topology t = control.topology();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("epoch", t.epoch());
    List<ScaleEvent> events = control.events();
    ScaleEvent latest = events.isEmpty() ? null : events.get(0);
    List<Map<String, Object>> handoffs = new ArrayList<>();
    for (var h : t.handoffs()) {
      Map<String, Object> hj = new LinkedHashMap<>();
      hj.put("id", h.id());
      hj.put("from", h.from());
      hj.put("to", h.to());
      hj.put("phase", h.phase());
      hj.put("ranges", h.ranges().size());
      ScaleEvent.Progress p = latest == null ? null : latest.progress(h.id());
      hj.put("keysMoved", p == null ? 0 : p.moved());
      hj.put("keysTotal", p == null ? 0 : p.total());
      handoffs.add(hj);
    }
    json.put("handoffs", handoffs);
    json.put("events", events.stream().map(AdminViews::eventJson).toList());
    return json;
  }

  Map<String, Object> event(String id) {
    ScaleEvent event = control.coordinator().event(id);
    if (event == null) {
      throw ApiException.notFound("no such event: " + id);
    }
    return eventJson(event);
  }

  /** A scale event as {@code GET /events/ID}, {@code GET /handoffs} and the scale requests show it. */
  static Map<String, Object> eventJson(ScaleEvent event) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", event.id());
    json.put("kind", event.kind());
    json.put("node", event.node());
    json.put("status", event.status());
    json.put("message", event.message());
    json.put("startedAt", event.started().toString());
    json.put("finishedAt", event.finished() == null ? null : event.finished().toString());
    json.put("keysMoved", event.keysMoved());
    json.put("keysTotal", event.keysTotal());
    json.put("failedNodes", event.failedNodes());
    json.put("streamRetries", event.streamRetries());
    return json;
  }

  List<Map<String, Object>> nodes() {
    Topology t = control.topology();
    HashRing ring = t.ring();
    return t.nodes().stream().map(n -> nodeDetails(n, ring)).toList();
  }

  Map<String, Object> node(String name) {
    Topology t = control.topology();
    NodeInfo node = t.node(name).orElseThrow(() -> ApiException.notFound("no such node: " + name));
    return nodeDetails(node, t.ring());
  }

  private Map<String, Object> nodeDetails(NodeInfo n, HashRing ring) {
    Map<String, Object> json = nodeJson(n, ring);
    Long keys = null;
    Long memory = null;
    try {
      keys = control.keyCount(n.address());
      memory = control.usedMemory(n.address());
    } catch (IOException | RuntimeException e) {
      json.put("error", e.getMessage());
    }
    json.put("keys", keys);
    json.put("memoryBytes", memory);
    HealthChecker.Health h = control.health(n.name());
    json.put("healthMisses", h == null ? null : h.misses());
    json.put("lastSeen", h == null || h.lastSeen() == null ? null : h.lastSeen().toString());
    // what the node reported at its last answer: ms of lease left (-1: it never held one, and a
    // --cluster member serves nothing until it does)
    json.put("leaseMillis", h == null ? null : h.leaseLeftMillis());
    return json;
  }

  static Map<String, Object> nodeJson(NodeInfo n, HashRing ring) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", n.name());
    json.put("address", n.address());
    json.put("weight", n.weight());
    json.put("state", n.state());
    json.put("points", ring.contains(n.name()) ? ring.pointsOf(n.name()) : 0);
    json.put("share", ring.contains(n.name()) ? ring.shareOf(n.name()) : 0.0);
    return json;
  }
}
