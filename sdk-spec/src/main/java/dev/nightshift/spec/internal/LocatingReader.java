package dev.nightshift.spec.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads environment.json bytes into a Jackson tree and, in the same streaming pass, a
 * {@link LocationIndex} from JSON pointer to line and column. Recognises what is not JSON at all
 * (an empty file, a Git LFS pointer, bytes that are not UTF-8) and reports duplicate keys, too
 * deep nesting, trailing commas and trailing content as problems. Never recursive: a deeply
 * nested input stops at {@link #MAX_DEPTH} without growing the stack.
 *
 * <p>Thread-safety: stateless; {@link #read} may be called from any thread. Lifecycle: static.
 */
public final class LocatingReader {
    /** Deepest nesting accepted; real files use four levels. */
    public static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] LFS = "version https://git-lfs.github.com/spec/".getBytes(StandardCharsets.US_ASCII);

    private LocatingReader() {
    }

    /** Parses {@code bytes}; returns the root, or {@code null} after adding an error to {@code findings}. */
    public static JsonNode read(byte[] bytes, Findings findings) {
        String text = decode(bytes, findings);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            findings.errorAt("", 0, 0, "the file is empty",
                    "write {} for the defaults, or delete the file");
            return null;
        }
        LocationIndex index = new LocationIndex();
        findings.locations(index);
        try (JsonParser p = FACTORY.createParser(text)) {
            return tree(p, index, findings, text);
        } catch (JacksonException e) {
            syntaxError(e, text, findings);
            return null;
        } catch (IOException e) {
            // a String source does no I/O; Jackson 2 declares it all the same
            throw new IllegalStateException("reading a string failed", e);
        }
    }

    private static String decode(byte[] bytes, Findings findings) {
        int start = 0;
        if (startsWith(bytes, LFS)) {
            findings.errorAt("", 1, 1, "this file is a Git LFS pointer; its content was not checked out",
                    "run 'git lfs pull', or commit environment.json as a regular file");
            return null;
        }
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            findings.errorAt("", 1, 1, "the file is UTF-16 (it starts with a UTF-16 byte order mark); it must be UTF-8",
                    "save the file as UTF-8");
            return null;
        }
        if (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
            start = 3; // a UTF-8 byte order mark is tolerated
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int bad = in.position();
            String before = new String(bytes, start, bad - start, StandardCharsets.UTF_8);
            int[] at = lineColumn(before, before.length());
            findings.errorAt("", at[0], at[1],
                    String.format(Locale.ROOT, "the file is not valid UTF-8 (byte 0x%02X)", bytes[bad] & 0xff),
                    "save the file as UTF-8");
            return null;
        }
        out.flip();
        return out.toString();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** One frame per open container: its node, its pointer, the next array index. */
    private static final class Frame {
        final ContainerNode<?> node;
        final String pointer;
        int index;
        String name;

        Frame(ContainerNode<?> node, String pointer) {
            this.node = node;
            this.pointer = pointer;
        }
    }

    private static JsonNode tree(JsonParser p, LocationIndex index, Findings findings, String text) throws IOException {
        Deque<Frame> stack = new ArrayDeque<>();
        JsonNode root = null;
        JsonToken t = p.nextToken();
        if (t == null) {
            findings.errorAt("", 0, 0, "the file holds only comments, no JSON value",
                    "write {} for the defaults, or delete the file");
            return null;
        }
        while (t != null) {
            if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                stack.pop();
                if (stack.isEmpty()) {
                    break;
                }
                t = p.nextToken();
                continue;
            }
            Frame parent = stack.peek();
            if (t == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                String pointer = parent.pointer + "/" + LocationIndex.escape(name);
                JsonLocation loc = p.currentTokenLocation();
                if (((ObjectNode) parent.node).has(name)) {
                    long first = index.find(pointer);
                    findings.errorAt(pointer, loc.getLineNr(), loc.getColumnNr(),
                            "duplicate key '" + name + "' (first at line " + LocationIndex.line(first) + ")",
                            "keep one of them; JSON readers disagree about which one wins");
                }
                index.put(pointer, loc.getLineNr(), loc.getColumnNr());
                parent.name = name;
                t = p.nextToken();
                continue;
            }
            String pointer;
            if (parent == null) {
                pointer = "";
            } else if (parent.node instanceof ArrayNode) {
                pointer = parent.pointer + "/" + parent.index++;
                JsonLocation loc = p.currentTokenLocation();
                index.put(pointer, loc.getLineNr(), loc.getColumnNr());
            } else {
                pointer = parent.pointer + "/" + LocationIndex.escape(parent.name);
            }
            if (parent == null) {
                JsonLocation loc = p.currentTokenLocation();
                index.put(pointer, loc.getLineNr(), loc.getColumnNr());
            }
            JsonNode node;
            switch (t) {
                case START_OBJECT -> node = NODES.objectNode();
                case START_ARRAY -> node = NODES.arrayNode();
                case VALUE_STRING -> node = NODES.textNode(p.getText());
                case VALUE_NUMBER_INT -> node = switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> node = NODES.numberNode(p.getDecimalValue());
                case VALUE_TRUE -> node = NODES.booleanNode(true);
                case VALUE_FALSE -> node = NODES.booleanNode(false);
                case VALUE_NULL -> node = NODES.nullNode();
                default -> throw new IllegalStateException("unexpected token " + t);
            }
            if (parent == null) {
                root = node;
            } else if (parent.node instanceof ArrayNode a) {
                a.add(node);
            } else {
                ((ObjectNode) parent.node).set(parent.name, node);
            }
            if (node instanceof ContainerNode<?> c) {
                if (stack.size() >= MAX_DEPTH) {
                    JsonLocation loc = p.currentTokenLocation();
                    findings.errorAt(pointer, loc.getLineNr(), loc.getColumnNr(),
                            "nesting is deeper than " + MAX_DEPTH + " levels", null);
                    return null;
                }
                stack.push(new Frame(c, pointer));
            } else if (parent == null) {
                break;
            }
            t = p.nextToken();
        }
        JsonToken after = p.nextToken();
        if (after != null) {
            JsonLocation loc = p.currentTokenLocation();
            findings.errorAt("", loc.getLineNr(), loc.getColumnNr(),
                    "unexpected content after the end of the JSON value", "a file holds one JSON object");
            return null;
        }
        return findings.hasErrors() ? null : root;
    }

    private static void syntaxError(JacksonException e, String text, Findings findings) {
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 0 : Math.max(0, loc.getLineNr());
        int column = loc == null ? 0 : Math.max(0, loc.getColumnNr());
        long offset = loc == null ? -1 : loc.getCharOffset();
        if (offset >= 0 && offset < text.length()) {
            int comma = trailingComma(text, (int) offset);
            if (comma >= 0) {
                int[] lc = lineColumn(text, comma);
                findings.errorAt("", lc[0], lc[1], "trailing comma before '" + text.charAt((int) offset)
                        + "' is not allowed", "remove the comma after the last element");
                return;
            }
        }
        String message = e.getOriginalMessage();
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        // Jackson quotes the offending token; it may be anything (a pasted secret), so drop it.
        message = message.replaceAll("(?s)token '.*?'", "token")
                .replaceAll("(?s)\\R.*", "")
                .replace("JSON Object", "object").replace("JSON Array", "array");
        findings.errorAt("", line, column, "invalid JSON: " + message, null);
    }

    /** The offset of a comma that directly precedes the '}' or ']' at {@code at}, else -1. */
    private static int trailingComma(String text, int at) {
        char c = text.charAt(at);
        if (c != '}' && c != ']') {
            return -1;
        }
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return i >= 0 && text.charAt(i) == ',' ? i : -1;
    }

    private static int[] lineColumn(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, offset - lineStart + 1};
    }
}
