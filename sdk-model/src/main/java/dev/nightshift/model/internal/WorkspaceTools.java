package dev.nightshift.model.internal;

import static dev.nightshift.model.internal.ToolArguments.bool;
import static dev.nightshift.model.internal.ToolArguments.string;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.Session;
import dev.nightshift.api.Todo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tools of a model driver, acting inside the agent's machine as the session's user in
 * {@code /workspace}: the file tools ({@link FileTools}, through the path checks of
 * {@link MachineFiles}), the command and terminal tools ({@link CommandTools}) and the todo list
 * kept here. What the model is told about them is in {@link ToolSpecifications}.
 *
 * <p><b>Thread-safety:</b> one instance per turn, used by the turn's thread only.
 */
public final class WorkspaceTools implements Tools {
    public static final String WORKSPACE = MachineFiles.WORKSPACE;

    private final Duration defaultCommandTimeout;
    private final Duration maxCommandTimeout;
    private final FileTools files;
    private final CommandTools commands;
    private final Map<String, Todo> todos = new LinkedHashMap<>();

    public WorkspaceTools(Session session, Duration defaultCommandTimeout, Duration maxCommandTimeout,
            int maxOutputChars) {
        this.defaultCommandTimeout = defaultCommandTimeout;
        this.maxCommandTimeout = maxCommandTimeout;
        this.files = new FileTools(new MachineFiles(session), maxOutputChars);
        this.commands = new CommandTools(session, defaultCommandTimeout, maxCommandTimeout, maxOutputChars);
    }

    @Override
    public List<ToolSpecification> specifications() {
        return ToolSpecifications.all(defaultCommandTimeout, maxCommandTimeout);
    }

    @Override
    public ToolOutcome run(String name, JsonNode a, AgentContext context) {
        switch (name) {
            case "read_file": return files.readFile(a, context);
            case "write_file": return files.writeFile(a, context);
            case "edit_file": return files.editFile(a, context);
            case "delete_file": return files.deleteFile(a, context);
            case "list_dir": return files.listDir(a, context);
            case "glob": return files.glob(a, context);
            case "grep": return files.grep(a, context);
            case "run_terminal_cmd": return commands.runCommand(a, context);
            case "read_terminal": return commands.readTerminal(a);
            case "todo_write": return todoWrite(a, context);
            default:
                throw new ToolException("unknown tool '" + name + "'; the tools are: "
                        + specifications().stream().map(ToolSpecification::name).collect(Collectors.joining(", ")));
        }
    }

    private ToolOutcome todoWrite(JsonNode a, AgentContext context) {
        JsonNode list = a.get("todos");
        if (list == null || !list.isArray()) {
            throw new ToolException("argument 'todos' must be an array of {id, content, status}");
        }
        if (!bool(a, "merge")) {
            todos.clear();
        }
        for (JsonNode t : list) {
            String id = string(t, "id", true);
            Todo old = todos.get(id);
            String content = string(t, "content", old == null);
            String status = string(t, "status", old == null);
            Todo.Status s;
            try {
                s = status == null ? old.status() : Todo.Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ToolException("status must be pending, in_progress, completed or cancelled, not " + status);
            }
            todos.put(id, new Todo(id, content == null ? old.content() : content, s));
        }
        List<Todo> now = List.copyOf(todos.values());
        context.updateTodos(now);
        return ToolOutcome.ok(now.stream().map(t -> "[" + t.status().name().toLowerCase(Locale.ROOT) + "] " + t.content())
                .collect(Collectors.joining("\n")));
    }
}
