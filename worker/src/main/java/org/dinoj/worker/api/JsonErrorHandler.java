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
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    static byte[] body(int code) {
        String reason = HttpStatus.getMessage(code);
        String sentence = "HTTP " + code + " " + reason + ": the request was refused before it reached a route"
                + (code == HttpStatus.BAD_REQUEST_400 ? " (its path has a control character such as %00, or an"
                + " ambiguous encoding)" : "");
        try {
            return ApiServer.JSON.writeValueAsBytes(Map.of("error", sentence));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"HTTP " + code + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
