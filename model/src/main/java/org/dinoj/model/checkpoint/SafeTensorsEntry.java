package org.dinoj.model.checkpoint;

/**
 * One tensor's header entry: its dtype as the format names it ("F32", "BF16", ...), its shape and
 * its byte range within the data section (after the header).
 */
public record SafeTensorsEntry(String name, String dtype, long[] shape, long begin, long end) {
    public long byteSize() {
        return end - begin;
    }
}
