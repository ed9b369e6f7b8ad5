package dev.nightshift.git;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;

/**
 * A smart-HTTP git server (JGit's GitServlet on Jetty 12, loopback only) serving the bare
 * repositories under a directory, fetch and push both behind HTTP basic auth.
 */
public final class HttpGitServer implements AutoCloseable {
    private final Server server;
    /** Requests that carried credentials the server refused. */
    public final AtomicInteger refusedLogins = new AtomicInteger();
    /** The user names of the requests the server let in, in order (which credential each used). */
    public final java.util.List<String> acceptedUsers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Map<String, String> logins = new java.util.concurrent.ConcurrentHashMap<>();
    /** Users let in to one repository only: the path prefix they may use. */
    private final java.util.Map<String, String> only = new java.util.concurrent.ConcurrentHashMap<>();

    /** Serves the bare repositories under {@code base} to {@code user} with {@code password}. */
    public HttpGitServer(Path base, String user, String password) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        GitServlet git = new GitServlet();
        git.setRepositoryResolver((HttpServletRequest req, String name) -> {
            Path dir = base.resolve(name).normalize();
            if (!dir.startsWith(base) || !Files.isRegularFile(dir.resolve("HEAD"))) {
                throw new RepositoryNotFoundException(name);
            }
            try {
                return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        });
        git.setReceivePackFactory((HttpServletRequest req, Repository db) -> new ReceivePack(db));
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        logins.put(user, password);
        context.addFilter(new FilterHolder(new BasicAuth(logins, only, refusedLogins, acceptedUsers)), "/*",
                EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(git), "/git/*");
        server.setHandler(context);
        server.start();
    }

    /** The URL of repository {@code name} (a directory under the base), without credentials. */
    public String url(String name) {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return "http://127.0.0.1:" + port + "/git/" + name;
    }

    /** Lets {@code user} in with {@code password} too (from the next request on), to every repository. */
    public void grant(String user, String password) {
        only.remove(user);
        logins.put(user, password);
    }

    /** Lets {@code user} in with {@code password} to the repository {@code name} only (e.g. {@code acme/app.git}). */
    public void grant(String user, String password, String name) {
        only.put(user, "/git/" + name);
        logins.put(user, password);
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private static final class BasicAuth implements Filter {
        private final java.util.Map<String, String> logins;
        private final java.util.Map<String, String> only;
        private final AtomicInteger refused;
        private final java.util.List<String> accepted;

        BasicAuth(java.util.Map<String, String> logins, java.util.Map<String, String> only, AtomicInteger refused,
                java.util.List<String> accepted) {
            this.logins = logins;
            this.only = only;
            this.refused = refused;
            this.accepted = accepted;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            String auth = ((HttpServletRequest) request).getHeader("Authorization");
            String user = null;
            for (var e : logins.entrySet()) {
                String expected = "Basic " + Base64.getEncoder().encodeToString(
                        (e.getKey() + ":" + e.getValue()).getBytes(StandardCharsets.UTF_8));
                String path = ((HttpServletRequest) request).getRequestURI();
                String prefix = only.get(e.getKey());
                if (expected.equals(auth) && (prefix == null || path.startsWith(prefix + "/"))) {
                    user = e.getKey();
                }
            }
            if (user == null) {
                if (auth != null) {
                    refused.incrementAndGet();
                }
                HttpServletResponse res = (HttpServletResponse) response;
                res.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
                res.sendError(401);
                return;
            }
            accepted.add(user);
            chain.doFilter(request, response);
        }
    }
}
