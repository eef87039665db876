package org.dinoj.worker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals, made before a request reaches a route (a path with {@code %00}, an ambiguous
 * encoding, an over-long URI), in the API's error shape instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty drops the connection after a request it refused before routing (a path failing its URI
        // compliance, a bad header): said, so that a client does not send its next request on it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    /** Jetty's own reason when it gives one beyond the status's name (a bad path, header or length). */
    static byte[] body(int code, String message) {
        String reason = HttpStatus.getMessage(code);
        String detail = message == null || message.isBlank() || message.equals(reason) ? "" : " (" + message + ")";
        String sentence = "HTTP " + code + " " + reason + detail + ": the request was refused before it reached a route";
        try {
            return ApiServer.JSON.writeValueAsBytes(Map.of("error", sentence));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"HTTP " + code + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
