package org.dinoj.worker.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EmbeddedTemporalServerTest {

    @WorkflowInterface
    public interface Echo {
        @WorkflowMethod
        String echo(String text);
    }

    public static final class EchoImpl implements Echo {
        @Override
        public String echo(String text) {
            return "echo " + text;
        }
    }

    @Test
    void servesWorkflowsOverRealGrpcOnLoopbackOnly() throws IOException {
        try (EmbeddedTemporalServer server = EmbeddedTemporalServer.start(0)) {
            assertThat(server.listenAddresses()).allSatisfy(a ->
                    assertThat(((InetSocketAddress) a).getAddress().isLoopbackAddress()).isTrue());
            assertThat(server.target()).startsWith("127.0.0.1:");

            WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                    WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                WorkerFactory factory = WorkerFactory.newInstance(client);
                Worker worker = factory.newWorker("echo");
                worker.registerWorkflowImplementationTypes(EchoImpl.class);
                factory.start();
                Echo echo = client.newWorkflowStub(Echo.class,
                        WorkflowOptions.newBuilder().setTaskQueue("echo").setWorkflowId("echo-1").build());
                assertThat(echo.echo("hi")).isEqualTo("echo hi");
                factory.shutdownNow();
            } finally {
                stubs.shutdownNow();
            }
        }
    }

    @Test
    void aTakenPortIsOneClearError() throws IOException {
        try (EmbeddedTemporalServer first = EmbeddedTemporalServer.start(0)) {
            assertThatThrownBy(() -> EmbeddedTemporalServer.start(first.port()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("port in use");
        }
    }
}
