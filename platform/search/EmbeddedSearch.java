import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single-node OpenSearch 2.19.6 cluster for local development and tests,
 * started from the Maven Central jars (no distribution archive is published
 * there): `java -cp classes:lib/* EmbeddedSearch <home dir> <http port>`
 * (transport on http port + 1, loopback only, so the production bootstrap
 * checks do not apply). Prints "search ready on <port>" once it serves HTTP;
 * SIGTERM closes the node cleanly.
 */
public final class EmbeddedSearch {
  /** Node's constructor that takes plugin classes is protected: a subclass reaches it. */
  static final class EmbeddedNode extends Node {
    EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
      super(environment, plugins, true);
    }
  }

  public static void main(String[] args) throws Exception {
    String home = args[0];
    int port = Integer.parseInt(args[1]);
    Settings settings = Settings.builder()
        .put("path.home", home)
        .put("path.data", home + "/data")
        .put("path.logs", home + "/logs")
        .put("cluster.name", "eticket-local")
        .put("node.name", "search-1")
        .put("discovery.type", "single-node")
        .put("network.host", "127.0.0.1")
        .put("http.port", port)
        .put("transport.port", port + 1)
        .put("http.type", "netty4")
        .put("transport.type", "netty4")
        // A developer's disk may be fuller than a server's: never turn indices read-only for that.
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        .build();
    LogConfigurator.registerErrorListener();
    LogConfigurator.configureWithoutConfig(settings);
    Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), Path.of("config"), () -> "search-1");
    Node node = new EmbeddedNode(environment, List.of(Netty4Plugin.class)).start();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
      closed.countDown();
    }));
    System.out.println("search ready on " + port);
    closed.await();
  }
}
