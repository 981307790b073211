package ronfield.httpclient;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import ronfield.common.Classify;
import ronfield.common.Driver;
import ronfield.common.EnvTrust;
import ronfield.common.Handles;
import ronfield.common.Results;

/**
 * Field driver: java.net.http.HttpClient of the JDK with its defaults. Wiring, and nothing else: the
 * base URL, a bearer header, connect_ms as connectTimeout and total_ms as the request timeout, the CA
 * from SSL_CERT_FILE (EnvTrust), and at debug the client's log switch jdk.httpclient.HttpClient.log=all.
 * Each request is one sendAsync.
 */
public final class Main {
  private record Instance(HttpClient client, String base, String token, Duration timeout) {}

  private static final Handles<Instance> CLIENTS = new Handles<>();

  private Main() {}

  private static JsonObject configure(JsonObject p) {
    if (p.has("debug") && p.get("debug").getAsBoolean()) {
      // read once, when the client's logger class loads: set before the first client is built
      System.setProperty("jdk.httpclient.HttpClient.log", "all");
      Driver.logToStderr(Level.ALL, "jdk.httpclient.HttpClient");
    }
    HttpClient.Builder b = HttpClient.newBuilder().sslContext(EnvTrust.sslContext());
    long connect = Driver.positive(p, "timeouts", "connect_ms");
    if (connect > 0) b.connectTimeout(Duration.ofMillis(connect));
    long total = Driver.positive(p, "timeouts", "total_ms");
    String base = Driver.str(p, "base_url").replaceAll("/+$", "");
    Instance in = new Instance(b.build(), base, Driver.str(p, "token"), total > 0 ? Duration.ofMillis(total) : null);
    JsonObject out = new JsonObject();
    out.addProperty("client", CLIENTS.add(in));
    return out;
  }

  private static String query(JsonObject p) {
    JsonElement q = p.get("query");
    if (q == null || !q.isJsonObject() || q.getAsJsonObject().size() == 0) return "";
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, JsonElement> e : q.getAsJsonObject().entrySet()) {
      sb.append(sb.length() == 0 ? '?' : '&')
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue().getAsString(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  private static CompletableFuture<JsonObject> request(JsonObject p) {
    Instance in = CLIENTS.get(Driver.str(p, "client"));
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(in.base() + Driver.str(p, "path") + query(p)));
    if (in.timeout() != null) rb.timeout(in.timeout());
    if (!in.token().isEmpty()) rb.header("Authorization", "Bearer " + in.token());
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
    if (p.has("json")) {
      rb.header("Content-Type", "application/json");
      body = HttpRequest.BodyPublishers.ofString(p.get("json").toString());
    }
    rb.method(Driver.str(p, "method"), body);
    return in.client().sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString()).handle((resp, err) -> {
      if (err != null) throw Classify.error(err);
      Map<String, String> headers = new HashMap<>();
      resp.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(", ", v)));
      return Results.result(resp.statusCode(), headers, resp.body());
    });
  }

  public static void main(String[] args) throws Exception {
    Map<String, Driver.Op> ops = new HashMap<>();
    ops.put("hello", Driver.sync(p -> {
      JsonObject r = new JsonObject();
      r.addProperty("protocol", 1);
      r.addProperty("name", "java.net.http.HttpClient");
      r.addProperty("version", System.getProperty("java.version"));
      r.addProperty("language", "java");
      com.google.gson.JsonArray caps = new com.google.gson.JsonArray();
      caps.add("http");
      caps.add("tls");
      r.add("capabilities", caps);
      return r;
    }));
    ops.put("configure", Driver.sync(Main::configure));
    ops.put("request", p -> {
      try {
        return request(p);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e instanceof ronfield.common.SdkError ? e : Classify.error(e));
      }
    });
    ops.put("close", Driver.sync(p -> {
      CLIENTS.remove(Driver.str(p, "client"));
      return new JsonObject();
    }));
    Driver.serve(ops);
  }
}
