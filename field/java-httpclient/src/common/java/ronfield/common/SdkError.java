package ronfield.common;

import com.google.gson.JsonObject;

/** An error reply: {@link #error} is the protocol's SdkError object. */
public final class SdkError extends RuntimeException {
  public final JsonObject error;

  public SdkError(JsonObject error) {
    super(error.has("type") ? error.get("type").getAsString() : "other", null, false, false);
    this.error = error;
  }

  /** A typed error from a client exception: its class name as message, its own text as rendered. */
  public static SdkError of(String type, Throwable e) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    o.addProperty("message", e.getClass().getName());
    o.addProperty("rendered", String.valueOf(e));
    return new SdkError(o);
  }

  /** An error the driver raises itself (an unknown handle): config. */
  public static SdkError config(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "config");
    o.addProperty("message", message);
    return new SdkError(o);
  }
}
