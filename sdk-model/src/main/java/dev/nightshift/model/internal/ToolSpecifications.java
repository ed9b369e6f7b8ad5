package dev.nightshift.model.internal;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the model is told about each tool of {@link WorkspaceTools}: name, description and the
 * JSON schema of its arguments.
 *
 * <p>Thread-safety: stateless. Lifecycle: static helpers.
 */
final class ToolSpecifications {
    private ToolSpecifications() {
    }

    /** The tools' specifications; the command timeouts are named in {@code run_terminal_cmd}'s. */
    static List<ToolSpecification> all(Duration defaultCommandTimeout, Duration maxCommandTimeout) {
        List<ToolSpecification> s = new ArrayList<>();
        s.add(spec("read_file", "Read a text file of the workspace with line numbers. Large files come in pages:"
                + " pass offset (first line, 1-based) and limit (number of lines) to read more.",
                JsonObjectSchema.builder().addStringProperty("path", "path relative to /workspace (or absolute inside it)")
                        .addIntegerProperty("offset", "first line to read, 1-based (default 1)")
                        .addIntegerProperty("limit", "how many lines (default " + FileTools.DEFAULT_READ_LINES + ")")
                        .required("path").build()));
        s.add(spec("write_file", "Create or overwrite a file with the given content (parent directories are created).",
                JsonObjectSchema.builder().addStringProperty("path").addStringProperty("content").required("path", "content")
                        .build()));
        s.add(spec("edit_file", "Replace old_string with new_string in a file. old_string must match exactly once"
                + " (whitespace included) unless replace_all is true; include enough surrounding lines to make it unique.",
                JsonObjectSchema.builder().addStringProperty("path").addStringProperty("old_string")
                        .addStringProperty("new_string").addBooleanProperty("replace_all", "replace every occurrence")
                        .required("path", "old_string", "new_string").build()));
        s.add(spec("delete_file", "Delete a file (not a directory).",
                JsonObjectSchema.builder().addStringProperty("path").required("path").build()));
        s.add(spec("list_dir", "List a directory: one entry per line as 'd name/' or 'f name (size bytes)'.",
                JsonObjectSchema.builder().addStringProperty("path", "directory (default: the workspace root)").build()));
        s.add(spec("glob", "Find files whose path relative to the search directory matches a glob such as '**/*.java'.",
                JsonObjectSchema.builder().addStringProperty("pattern").addStringProperty("path", "directory to search (default .)")
                        .required("pattern").build()));
        s.add(spec("grep", "Search file contents for a regular expression; prints file:line:text.",
                JsonObjectSchema.builder().addStringProperty("pattern", "regular expression")
                        .addStringProperty("path", "file or directory (default .)")
                        .addStringProperty("include", "only files matching this glob, e.g. *.ts")
                        .addBooleanProperty("case_insensitive").required("pattern").build()));
        s.add(spec("run_terminal_cmd", "Run a shell command (bash -lc) in /workspace and return its output and exit code."
                + " With background true it starts in a new terminal (a tmux window a human can watch) and returns at once;"
                + " read its output later with read_terminal.",
                JsonObjectSchema.builder().addStringProperty("command")
                        .addIntegerProperty("timeout_seconds", "default " + defaultCommandTimeout.toSeconds()
                                + ", at most " + maxCommandTimeout.toSeconds())
                        .addBooleanProperty("background", "start it in its own terminal and return at once")
                        .required("command").build()));
        s.add(spec("read_terminal", "Read the recent output of a terminal (the environment's or one started in the background).",
                JsonObjectSchema.builder().addStringProperty("name", "terminal name")
                        .addIntegerProperty("lines", "how many recent lines (default 200)").required("name").build()));
        s.add(spec("todo_write", "Write the checklist for this task. Each todo has id, content and status"
                + " (pending, in_progress, completed, cancelled). merge true updates the given ids and keeps the others.",
                JsonObjectSchema.builder()
                        .addProperty("todos", JsonArraySchema.builder().items(JsonObjectSchema.builder()
                                .addStringProperty("id").addStringProperty("content")
                                .addEnumProperty("status", List.of("pending", "in_progress", "completed", "cancelled"))
                                .required("id", "content", "status").build()).build())
                        .addBooleanProperty("merge").required("todos").build()));
        return s;
    }

    private static ToolSpecification spec(String name, String description, JsonObjectSchema parameters) {
        return ToolSpecification.builder().name(name).description(description).parameters(parameters).build();
    }
}
