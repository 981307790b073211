package ronfield.common;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Maps a Java HTTP client's exception to the protocol's error types, rendered untouched. */
public final class Classify {
  private Classify() {}

  public static SdkError error(Throwable thrown) {
    Throwable e = thrown;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof SdkError) return (SdkError) e;
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SSLHandshakeException || c instanceof SSLPeerUnverifiedException
          || c instanceof CertificateException) {
        return SdkError.of("insecure", e);
      }
      if (c instanceof HttpTimeoutException || c instanceof InterruptedIOException) {
        return SdkError.of("timeout", e);
      }
    }
    if (e instanceof IOException) return SdkError.of("network", e);
    return SdkError.of("other", e);
  }
}
