package ronfield.common;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import java.util.Map;

/**
 * The one mapping rule of an HTTP result every field driver follows: an error status (>= 400) is
 * {@code problem} with the canonical Problem members of the body when it decodes as JSON (Gson with
 * Strictness.STRICT: RFC 8259 only, the whole body), {@code transport} when it does not; an undecodable 2xx/3xx body is
 * {@code transport} too.
 */
public final class Results {
  private static final String[] STRINGS = {"code", "kind", "message", "correlation_id"};
  private static final Gson GSON = new GsonBuilder().setStrictness(Strictness.STRICT).create();

  private Results() {}

  public static JsonObject result(int status, Map<String, String> headers, String body) {
    JsonElement doc = null;
    if (!body.isEmpty()) {
      try {
        doc = GSON.fromJson(body, JsonElement.class);
      } catch (JsonParseException e) {
        SdkError err = SdkError.of("transport", e);
        err.error.addProperty("status", status);
        throw err;
      }
    }
    if (status >= 400) {
      JsonObject err = new JsonObject();
      err.addProperty("type", "problem");
      err.addProperty("status", status);
      err.addProperty("message", "HTTP " + status);
      err.addProperty("rendered", "HTTP " + status);
      if (doc != null && doc.isJsonObject()) {
        JsonObject obj = doc.getAsJsonObject();
        for (String k : STRINGS) {
          JsonElement v = obj.get(k);
          if (v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) err.add(k, v);
        }
        JsonElement details = obj.get("details");
        if (details != null && details.isJsonObject()) err.add("details", details);
      }
      throw new SdkError(err);
    }
    JsonObject out = new JsonObject();
    out.addProperty("status", status);
    JsonObject h = new JsonObject();
    headers.forEach(h::addProperty);
    out.add("headers", h);
    if (doc != null) out.add("json", doc);
    return out;
  }
}
