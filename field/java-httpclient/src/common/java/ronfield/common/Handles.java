package ronfield.common;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The SDK instances of one driver process, by handle. */
public final class Handles<T> {
  private final ConcurrentHashMap<String, T> map = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong();

  public String add(T instance) {
    String handle = "c" + next.incrementAndGet();
    map.put(handle, instance);
    return handle;
  }

  public T get(String handle) {
    T t = map.get(handle);
    if (t == null) throw SdkError.config("unknown client handle");
    return t;
  }

  public T remove(String handle) {
    T t = map.remove(handle);
    if (t == null) throw SdkError.config("unknown client handle");
    return t;
  }
}
