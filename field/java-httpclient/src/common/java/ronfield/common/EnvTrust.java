package ronfield.common;

import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CA from the environment, the way a Java SDK author wires it: the PEM bundle named by
 * {@code SSL_CERT_FILE} is read into a KeyStore at startup and becomes the trust store (the code
 * equivalent of {@code -Djavax.net.ssl.trustStore}). Without {@code SSL_CERT_FILE} the JDK's
 * default trust store stays. Shared by the java-httpclient and java-okhttp drivers.
 */
public final class EnvTrust {
  /** The trust manager, or null when SSL_CERT_FILE is not set. */
  public static final X509TrustManager TRUST_MANAGER = load();

  private EnvTrust() {}

  private static X509TrustManager load() {
    String file = System.getenv("SSL_CERT_FILE");
    if (file == null || file.isEmpty()) return null;
    try (InputStream in = new FileInputStream(file)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("env-ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager) return (X509TrustManager) tm;
      }
      throw new IllegalStateException("no X509TrustManager");
    } catch (Exception e) {
      throw new IllegalStateException("cannot load SSL_CERT_FILE " + file, e);
    }
  }

  /** An SSLContext trusting {@link #TRUST_MANAGER}, or the JDK default one without SSL_CERT_FILE. */
  public static SSLContext sslContext() {
    try {
      if (TRUST_MANAGER == null) return SSLContext.getDefault();
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {TRUST_MANAGER}, null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
