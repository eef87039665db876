package org.dinoj.worker.temporal;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's Java test server, in-process, on a real gRPC port bound to the loopback interface
 * only. Its state lives in memory: dinoj's job registry restarts unfinished jobs after a restart.
 * Time runs at wall-clock speed (no time skipping).
 */
public final class EmbeddedTemporalServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporalServer.class);

    private final TestServicesStarter services;
    private final Server server;

    private EmbeddedTemporalServer(TestServicesStarter services, Server server) {
        this.services = services;
        this.server = server;
    }

    /** Starts on {@code 127.0.0.1:port}; port 0 picks a free one. */
    public static EmbeddedTemporalServer start(int port) throws IOException {
        // lockTimeSkipping = true: the server's clock is the wall clock, as a real cluster's.
        TestServicesStarter services = new TestServicesStarter(true, 0);
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureServerCredentials.create());
            GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
            Server server = builder.build().start();
            EmbeddedTemporalServer started = new EmbeddedTemporalServer(services, server);
            log.info("embedded Temporal server listening on {}", started.target());
            return started;
        } catch (IOException e) {
            services.close();
            throw new IOException("cannot start the embedded Temporal server on 127.0.0.1:" + port + " ("
                    + e.getMessage() + "); is the port in use? Choose another with --port", e);
        }
    }

    /** {@code host:port} for WorkflowServiceStubs. */
    public String target() {
        InetSocketAddress address = (InetSocketAddress) server.getListenSockets().getFirst();
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    public int port() {
        return server.getPort();
    }

    public List<? extends SocketAddress> listenAddresses() {
        return server.getListenSockets();
    }

    @Override
    public void close() {
        server.shutdownNow();
        services.close();
    }
}
