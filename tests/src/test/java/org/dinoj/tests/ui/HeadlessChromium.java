package org.dinoj.tests.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium driven over the Chrome DevTools Protocol (a WebSocket, JSON
 * messages), to look at a web page as a person does: navigate, read the rendered text, click, and
 * take screenshots. Only what the UI tests need; one page per browser.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final List<String> CANDIDATES = List.of(
            "/usr/bin/chromium", "/usr/bin/chromium-headless-shell", "/usr/bin/google-chrome");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();
    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, URI pageSocket) {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(pageSocket, new Listener()).join();
    }

    /** The browser binary: {@code $DINOJ_CHROMIUM}, else Debian's chromium or chromium-headless-shell. */
    public static Optional<Path> find() {
        String explicit = System.getenv("DINOJ_CHROMIUM");
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Skips the calling test, with the reason printed, when no Chromium is installed. */
    public static Path assumeInstalled() {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            String reason = "SKIPPED (ui): no headless Chromium (looked for $DINOJ_CHROMIUM and " + CANDIDATES
                    + "); install it with: apt-get install chromium-headless-shell";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
        return found.get();
    }

    /** Starts the browser with a fresh profile in {@code profileDir} and a {@code width x height} viewport. */
    public static HeadlessChromium launch(Path profileDir, int width, int height) {
        Path binary = assumeInstalled();
        try {
            Files.createDirectories(profileDir);
            Path portFile = profileDir.resolve("DevToolsActivePort");
            Files.deleteIfExists(portFile);
            Process process = new ProcessBuilder(binary.toString(),
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0", "--user-data-dir=" + profileDir,
                    "--window-size=" + width + "," + height, "about:blank")
                    .redirectErrorStream(true)
                    .redirectOutput(profileDir.resolve("chromium.log").toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> kill(process), "chromium-reaper"));
            int port = awaitDevToolsPort(process, portFile);
            HeadlessChromium browser = new HeadlessChromium(process, pageSocket(port));
            browser.send("Page.enable", Map.of());
            browser.send("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
            return browser;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary + ": " + e.getMessage(), e);
        }
    }

    /** Opens {@code uri} and waits until the document has loaded. */
    public void navigate(URI uri) {
        send("Page.navigate", Map.of("url", uri.toString()));
        waitUntil("document.readyState === 'complete'", Duration.ofSeconds(30));
    }

    /** Evaluates a JavaScript expression in the page (promises awaited) and returns its JSON value. */
    public JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate",
                Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("JavaScript failed: " + expression + " -> " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** The page's visible text, as a person reads it, with that of its same-origin frames appended. */
    public String visibleText() {
        return evaluate("""
                (() => {
                  const parts = [document.body ? document.body.innerText : ''];
                  for (const frame of document.querySelectorAll('iframe')) {
                    try {
                      if (frame.contentDocument && frame.contentDocument.body) {
                        parts.push(frame.contentDocument.body.innerText);
                      }
                    } catch (crossOrigin) {
                      // a frame from another origin cannot be read; a person would still see it
                    }
                  }
                  return parts.join('\\n');
                })()""").asText();
    }

    /** Waits until the JavaScript {@code condition} is true; false when {@code timeout} passed. */
    public boolean waitUntil(String condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (evaluate("Boolean(" + condition + ")").asBoolean()) {
                return true;
            }
            sleep(200);
        }
        return false;
    }

    /** Waits until the visible text contains every one of {@code texts}; returns the text then, or throws. */
    public String awaitText(Duration timeout, String... texts) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = visibleText();
            String current = text;
            if (java.util.Arrays.stream(texts).allMatch(current::contains)) {
                return text;
            }
            sleep(250);
        }
        throw new AssertionError("the page did not show " + List.of(texts) + " within " + timeout
                + "; it shows:\n" + text);
    }

    /** Saves a PNG of what the viewport shows. */
    public Path screenshot(Path png) {
        String data = send("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, Base64.getDecoder().decode(data));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + png, e);
        }
        return png;
    }

    @Override
    public void close() {
        try {
            send("Browser.close", Map.of());
        } catch (IllegalStateException alreadyGone) {
            // the browser may close the connection before it answers; it is killed below either way
        }
        socket.abort();
        kill(process);
    }

    /**
     * Debian's /usr/bin/chromium* are shell scripts that start the real browser as a child: the
     * browser and its helper processes are ended along with the script.
     */
    private static void kill(Process process) {
        List<ProcessHandle> browser = process.descendants().toList();
        browser.forEach(ProcessHandle::destroy);
        process.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle handle : browser) {
            try {
                handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        process.destroyForcibly();
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode send(String method, Object params) {
        int id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message = json.createObjectNode().put("id", id).put("method", method);
        message.set("params", json.valueToTree(params));
        try {
            synchronized (socket) {
                socket.sendText(json.writeValueAsString(message), true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            JsonNode answer = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException("DevTools " + method + " failed: " + answer.get("error"));
            }
            return answer.path("result");
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("DevTools " + method + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during DevTools " + method, e);
        } finally {
            pending.remove(id);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode message = json.readTree(text);
                    // Events (no id) are not needed: the tests poll the page instead.
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> reply = pending.get(message.get("id").asInt());
                        if (reply != null) {
                            reply.complete(message);
                        }
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    private static int awaitDevToolsPort(Process process, Path portFile) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Chromium exited with code " + process.exitValue()
                        + "; see " + portFile.resolveSibling("chromium.log"));
            }
            if (Files.isRegularFile(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (!lines.isEmpty() && !lines.getFirst().isBlank()) {
                    return Integer.parseInt(lines.getFirst().trim());
                }
            }
            sleep(50);
        }
        kill(process);
        throw new IllegalStateException("Chromium did not open its DevTools port within 30 s");
    }

    /** The WebSocket of the first page target, from the DevTools HTTP endpoint. */
    private static URI pageSocket(int port) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                for (JsonNode target : json.readTree(body)) {
                    if ("page".equals(target.path("type").asText())) {
                        return URI.create(target.path("webSocketDebuggerUrl").asText());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking Chromium for its page", e);
            }
            sleep(100);
        }
        throw new IllegalStateException("Chromium on port " + port + " has no page target");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
