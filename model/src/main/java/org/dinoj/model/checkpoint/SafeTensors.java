package org.dinoj.model.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON
 * header ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then
 * the raw little-endian tensor bytes. The reader trusts nothing in the file: every length, offset
 * and shape is checked against the file before any memory is touched or allocated.
 */
public final class SafeTensors {
    /** Headers beyond this are refused rather than parsed (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Element sizes of every dtype the format defines; dinoj reads F32, BF16 and F64 as tensors, and F16 widened to F32. */
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8));

    private SafeTensors() {
    }

    /**
     * Writes {@code tensors} (host tensors of any strides, in the given order) and string
     * {@code metadata} (in key order) to {@code file}.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            // Sorted: the file's bytes must not depend on a map's iteration order (Map.of's differs
            // from JVM to JVM), so that equal checkpoints written by different processes are equal.
            new java.util.TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + METADATA_KEY);
            }
            Tensor t = e.getValue();
            long bytes = t.numel() * t.dtype().byteSize();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // The data section starts 8-byte aligned: pad the header with spaces, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             HostArena scratch = new HostArena()) {
            writeFully(ch, head);
            for (Tensor t : tensors.values()) {
                Tensor contiguous = t.isContiguous() ? t : copyContiguous(t, scratch);
                long bytes = contiguous.numel() * contiguous.dtype().byteSize();
                writeFully(ch, contiguous.data().asSlice(0, bytes).asByteBuffer());
            }
            ch.force(true);
        }
    }

    private static Tensor copyContiguous(Tensor t, HostArena scratch) {
        Tensor out = scratch.allocate(t.dtype(), t.shape());
        for (long i = 0; i < t.numel(); i++) {
            out.setFlat(i, t.getFlat(i));
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    /** What a file that is not safetensors seems to be, from its first bytes, and how to convert it. */
    private static String looksLike(byte[] start) {
        if (start[0] == 'P' && start[1] == 'K' && start[2] == 3 && start[3] == 4) {
            return ": it is a ZIP archive, as PyTorch's torch.save writes .pt/.pth files; convert it in Python with"
                    + " safetensors.torch.save_file(torch.load(path, map_location='cpu'), 'weights.safetensors')";
        }
        if ((start[0] & 0xFF) == 0x80 && start[1] >= 2 && start[1] <= 5) {
            return ": it is a Python pickle (an older torch.save); convert it in Python with"
                    + " safetensors.torch.save_file(torch.load(path, map_location='cpu'), 'weights.safetensors')";
        }
        for (byte b : start) {
            if (b < 0x09 || b > 0x7e) {
                return "";
            }
        }
        return ": it begins with text ('" + new String(start, java.nio.charset.StandardCharsets.US_ASCII).strip() + "...')";
    }

    /** Opens and validates {@code file}; the returned view maps the file and must be closed. */
    public static SafeTensorsFile read(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafeTensorsFormatException(file + " is " + size + " bytes, too short for a safetensors header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafeTensorsFormatException(file + " is not a safetensors file" + looksLike(lengthBytes.array())
                        + " (its first 8 bytes declare a header of " + Long.toUnsignedString(headerLength) + " bytes, over the "
                        + MAX_HEADER_BYTES + "-byte limit)");
            }
            if (8 + headerLength > size) {
                throw new SafeTensorsFormatException(file + " declares a header of " + headerLength
                        + " bytes but the file has only " + (size - 8) + " bytes after the length: truncated or not safetensors");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBytes, 8);
            long dataSize = size - 8 - headerLength;
            Header header = parseHeader(file, headerBytes.array(), dataSize);
            MemorySegment mapped = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            MemorySegment data = mapped.asSlice(8 + headerLength, dataSize);
            return new SafeTensorsFile(file, header.entries(), header.metadata(), data, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new SafeTensorsFormatException("unexpected end of file while reading the safetensors header");
            }
        }
    }

    record Header(Map<String, SafeTensorsEntry> entries, Map<String, String> metadata) {
    }

    static Header parseHeader(Path file, byte[] bytes, long dataSize) throws SafeTensorsFormatException {
        String text;
        try {
            // Strict, as the reference reader: a lenient decode would silently turn bad bytes in a
            // tensor name into U+FFFD, renaming the tensor.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsFormatException(file + " has a header that is not valid UTF-8 (" + e.getMessage()
                    + "): not a safetensors file, or a corrupted one");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text.stripTrailing());
        } catch (JsonProcessingException e) {
            throw new SafeTensorsFormatException(file + " has a header that is not valid JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsFormatException(file + " has a header that is not a JSON object");
        }
        Map<String, SafeTensorsEntry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals(METADATA_KEY)) {
                parseMetadata(file, value, metadata);
            } else {
                entries.put(name, parseEntry(file, name, value, dataSize));
            }
        }
        checkTiling(file, entries, dataSize);
        return new Header(entries, metadata);
    }

    private static void parseMetadata(Path file, JsonNode value, Map<String, String> metadata)
            throws SafeTensorsFormatException {
        if (!value.isObject()) {
            throw new SafeTensorsFormatException(file + ": " + METADATA_KEY + " must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new SafeTensorsFormatException(file + ": metadata value of '" + m.getKey() + "' is not a string");
            }
            metadata.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static SafeTensorsEntry parseEntry(Path file, String name, JsonNode value, long dataSize)
            throws SafeTensorsFormatException {
        String where = file + ": tensor '" + name + "'";
        if (!value.isObject()) {
            throw new SafeTensorsFormatException(where + " is not described by a JSON object");
        }
        for (Iterator<String> keys = value.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new SafeTensorsFormatException(where + " has an unknown field '" + key + "'");
            }
        }
        JsonNode dtypeNode = value.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafeTensorsFormatException(where + " has no dtype string");
        }
        String dtype = dtypeNode.textValue();
        Integer elementBytes = DTYPE_BYTES.get(dtype);
        if (elementBytes == null) {
            throw new SafeTensorsFormatException(where + " has unknown dtype '" + dtype + "'");
        }
        JsonNode shapeNode = value.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafeTensorsFormatException(where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new SafeTensorsFormatException(where + " has an invalid dimension " + d + " in its shape");
            }
            shape[i] = d.longValue();
            // Bounded by the data size, so a huge shape cannot overflow or request a huge allocation.
            if (shape[i] != 0 && elements > dataSize / shape[i] + 1) {
                throw new SafeTensorsFormatException(where + " has a shape " + shapeNode + " larger than the file's data");
            }
            elements *= shape[i];
        }
        JsonNode offsets = value.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new SafeTensorsFormatException(where + " needs data_offsets as two integers");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafeTensorsFormatException(where + " has data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes");
        }
        if (elements > dataSize || elements * elementBytes != end - begin) {
            throw new SafeTensorsFormatException(where + " of dtype " + dtype + " and shape " + shapeNode + " needs "
                    + (elements > dataSize ? "more than " + dataSize : elements * elementBytes)
                    + " bytes but its data_offsets span " + (end - begin));
        }
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    /** The format requires the tensors to cover the data section exactly, without overlaps or holes. */
    private static void checkTiling(Path file, Map<String, SafeTensorsEntry> entries, long dataSize)
            throws SafeTensorsFormatException {
        List<SafeTensorsEntry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(SafeTensorsEntry::begin).thenComparingLong(SafeTensorsEntry::end));
        long expected = 0;
        SafeTensorsEntry previous = null;
        for (SafeTensorsEntry e : sorted) {
            if (e.begin() < expected) {
                throw new SafeTensorsFormatException(file + ": tensors '" + previous.name() + "' and '" + e.name()
                        + "' overlap in the data section");
            }
            if (e.begin() > expected) {
                throw new SafeTensorsFormatException(file + ": bytes " + expected + ".." + e.begin()
                        + " of the data section belong to no tensor");
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataSize) {
            throw new SafeTensorsFormatException(file + ": the data section has " + dataSize
                    + " bytes but the tensors describe " + expected + " (truncated or trailing bytes)");
        }
    }

    static DType dinojType(String dtype) {
        return switch (dtype) {
            case "F32" -> DType.F32;
            case "BF16" -> DType.BF16;
            case "F64" -> DType.F64;
            default -> null;
        };
    }
}
