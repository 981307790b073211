package ronfield.common;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Protocol plumbing shared by the Java field drivers (docs/PROTOCOL.md): JSON Lines over stdio.
 * Each request line runs on its own thread (pipelining); one lock keeps each reply line whole.
 * Nothing here touches an HTTP client.
 */
public final class Driver {
  /** An op: the params in, the result out (or an SdkError), possibly asynchronously. */
  public interface Op extends Function<JsonObject, CompletableFuture<JsonObject>> {}

  private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);
  private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r);
    t.setDaemon(true);
    return t;
  });

  private Driver() {}

  /** A synchronous op run on the driver's thread pool. */
  public static Op sync(Function<JsonObject, JsonObject> f) {
    return p -> CompletableFuture.supplyAsync(() -> f.apply(p), POOL);
  }

  /** The thread pool that runs synchronous ops. */
  public static ExecutorService pool() {
    return POOL;
  }

  /**
   * Route the named java.util.logging loggers at {@code level} to stderr; other loggers keep the
   * JDK's defaults (the root at INFO).
   */
  public static synchronized void logToStderr(Level level, String... loggers) {
    for (String name : loggers) {
      Logger logger = Logger.getLogger(name);
      if (logger.getLevel() == level) continue;
      logger.setLevel(level);
      logger.setUseParentHandlers(false);
      ConsoleHandler h = new ConsoleHandler(); // writes to System.err
      h.setLevel(level);
      logger.addHandler(h);
      KEEP.add(logger); // a logger only weakly held would lose its level
    }
  }

  private static final java.util.List<Logger> KEEP = new java.util.ArrayList<>();

  private static void reply(long id, JsonObject result, Throwable err) {
    JsonObject line = new JsonObject();
    line.addProperty("id", id);
    if (err == null) {
      line.addProperty("ok", true);
      line.add("result", result);
    } else {
      Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      line.addProperty("ok", false);
      line.add("error", e instanceof SdkError ? ((SdkError) e).error : SdkError.of("other", e).error);
    }
    String text = line.toString();
    synchronized (OUT) {
      OUT.print(text);
      OUT.print('\n');
      OUT.flush();
    }
  }

  /** Serve the ops until stdin closes or {@code shutdown}. */
  public static void serve(Map<String, Op> ops) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      JsonObject msg;
      try {
        JsonElement el = JsonParser.parseString(line);
        if (!el.isJsonObject() || !el.getAsJsonObject().has("id")) continue;
        msg = el.getAsJsonObject();
      } catch (RuntimeException e) {
        continue;
      }
      long id = msg.get("id").getAsLong();
      String op = msg.has("op") ? msg.get("op").getAsString() : "";
      if (op.equals("shutdown")) {
        POOL.shutdown();
        try {
          POOL.awaitTermination(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        reply(id, new JsonObject(), null);
        System.exit(0);
      }
      Op f = ops.get(op);
      if (f == null) {
        JsonObject u = new JsonObject();
        u.addProperty("type", "unsupported");
        reply(id, null, new SdkError(u));
        continue;
      }
      try {
        f.apply(msg).whenComplete((r, e) -> reply(id, r, e));
      } catch (RuntimeException e) {
        reply(id, null, e);
      }
    }
    System.exit(0);
  }

  /** The param {@code name} as a positive integer, or 0. */
  public static long positive(JsonObject p, String... path) {
    JsonObject o = p;
    for (int i = 0; i < path.length - 1; i++) {
      JsonElement e = o.get(path[i]);
      if (e == null || !e.isJsonObject()) return 0;
      o = e.getAsJsonObject();
    }
    JsonElement v = o.get(path[path.length - 1]);
    return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() ? Math.max(0, v.getAsLong()) : 0;
  }

  /** The string param {@code name}, or "". */
  public static String str(JsonObject p, String name) {
    JsonElement v = p.get(name);
    return v != null && v.isJsonPrimitive() ? v.getAsString() : "";
  }
}
