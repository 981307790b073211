package ronfield.okhttp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http.HttpMethod;
import okhttp3.logging.HttpLoggingInterceptor;
import ronfield.common.Classify;
import ronfield.common.Driver;
import ronfield.common.EnvTrust;
import ronfield.common.Handles;
import ronfield.common.Results;
import ronfield.common.SdkError;

/**
 * Field driver: OkHttp with its defaults. Wiring, and nothing else: the base URL, a bearer header
 * added by an application interceptor, connect/read/call timeouts and Dispatcher.maxRequestsPerHost
 * from the params, the CA from SSL_CERT_FILE (EnvTrust), and at debug HttpLoggingInterceptor at
 * Level.BODY. Each request is one Call.enqueue.
 */
public final class Main {
  private record Instance(OkHttpClient client, String base) {}

  private static final Handles<Instance> CLIENTS = new Handles<>();
  private static final MediaType JSON = MediaType.get("application/json");

  private Main() {}

  private static JsonObject configure(JsonObject p) {
    boolean debug = p.has("debug") && p.get("debug").getAsBoolean();
    OkHttpClient.Builder b = new OkHttpClient.Builder();
    if (EnvTrust.TRUST_MANAGER != null) {
      b.sslSocketFactory(EnvTrust.sslContext().getSocketFactory(), EnvTrust.TRUST_MANAGER);
    }
    String token = Driver.str(p, "token");
    if (!token.isEmpty()) {
      b.addInterceptor(chain -> chain.proceed(
          chain.request().newBuilder().header("Authorization", "Bearer " + token).build()));
    }
    if (debug) {
      Driver.logToStderr(Level.ALL, "okhttp3");
      b.addInterceptor(new HttpLoggingInterceptor().setLevel(HttpLoggingInterceptor.Level.BODY));
    }
    long connect = Driver.positive(p, "timeouts", "connect_ms");
    if (connect > 0) b.connectTimeout(Duration.ofMillis(connect));
    long read = Driver.positive(p, "timeouts", "read_ms");
    if (read > 0) b.readTimeout(Duration.ofMillis(read));
    long total = Driver.positive(p, "timeouts", "total_ms");
    if (total > 0) b.callTimeout(Duration.ofMillis(total));
    long conc = Driver.positive(p, "max_concurrency");
    if (conc > 0) {
      Dispatcher d = new Dispatcher();
      d.setMaxRequestsPerHost((int) conc);
      b.dispatcher(d);
    }
    String base = Driver.str(p, "base_url").replaceAll("/+$", "");
    JsonObject out = new JsonObject();
    out.addProperty("client", CLIENTS.add(new Instance(b.build(), base)));
    return out;
  }

  private static CompletableFuture<JsonObject> request(JsonObject p) {
    Instance in = CLIENTS.get(Driver.str(p, "client"));
    HttpUrl parsed = HttpUrl.parse(in.base() + Driver.str(p, "path"));
    if (parsed == null) throw SdkError.config("invalid URL");
    HttpUrl.Builder url = parsed.newBuilder();
    JsonElement q = p.get("query");
    if (q != null && q.isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : q.getAsJsonObject().entrySet()) {
        url.addQueryParameter(e.getKey(), e.getValue().getAsString());
      }
    }
    String method = Driver.str(p, "method");
    RequestBody body = null;
    if (p.has("json")) {
      body = RequestBody.create(p.get("json").toString(), JSON);
    } else if (HttpMethod.requiresRequestBody(method)) {
      body = RequestBody.create(new byte[0], null);
    }
    Request req = new Request.Builder().url(url.build()).method(method, body).build();
    CompletableFuture<JsonObject> done = new CompletableFuture<>();
    in.client().newCall(req).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        done.completeExceptionally(Classify.error(e));
      }

      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          String text = response.body().string();
          Map<String, String> headers = new HashMap<>();
          response.headers().toMultimap().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(", ", v)));
          done.complete(Results.result(response.code(), headers, text));
        } catch (SdkError e) {
          done.completeExceptionally(e);
        } catch (Exception e) {
          done.completeExceptionally(Classify.error(e));
        }
      }
    });
    return done;
  }

  public static void main(String[] args) throws Exception {
    Map<String, Driver.Op> ops = new HashMap<>();
    ops.put("hello", Driver.sync(p -> {
      JsonObject r = new JsonObject();
      r.addProperty("protocol", 1);
      r.addProperty("name", "okhttp");
      r.addProperty("version", OkHttp.VERSION);
      r.addProperty("language", "java");
      JsonArray caps = new JsonArray();
      caps.add("http");
      caps.add("tls");
      caps.add("concurrency");
      r.add("capabilities", caps);
      return r;
    }));
    ops.put("configure", Driver.sync(Main::configure));
    ops.put("request", p -> {
      try {
        return request(p);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(Classify.error(e));
      }
    });
    ops.put("close", Driver.sync(p -> {
      OkHttpClient c = CLIENTS.remove(Driver.str(p, "client")).client();
      c.dispatcher().executorService().shutdown();
      c.connectionPool().evictAll();
      return new JsonObject();
    }));
    Driver.serve(ops);
  }
}
