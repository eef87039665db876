package org.dinoj.worker.cli;

import java.util.concurrent.CountDownLatch;
import org.dinoj.worker.temporal.EmbeddedTemporalServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dinoj server}: the embedded Temporal server on 127.0.0.1 until Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Runs the embedded Temporal server (in memory, 127.0.0.1 only) until Ctrl-C.")
public final class ServerCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--port", defaultValue = "7233", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        EmbeddedTemporalServer server = EmbeddedTemporalServer.start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("Temporal (embedded, in memory) listening on " + server.target() + "; Ctrl-C stops it.");
        System.out.println("Its state is lost when it stops; dinoj pretrain restarts unfinished jobs from their checkpoints.");
        stopped.await();
        return 0;
    }
}
