package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AttachInfo;
import dev.nightshift.api.Session;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.core.internal.RecordingMachine;

/** The agent's machine as its driver and humans see it: a view; the engine owns the machine. */
public final class AgentSession implements Session {
    private final AgentScope agent;
    private final RecordingMachine m;

    /** A view of the machine running now (or of none). */
    public AgentSession(AgentScope agent) {
        this.agent = agent;
        this.m = agent.machine().view();
    }

    @Override
    public Machine machine() {
        return m;
    }

    @Override
    public String workspace() {
        return AgentMachine.WORKSPACE;
    }

    @Override
    public String branch() {
        return agent.info().branch().orElse(null);
    }

    @Override
    public String user() {
        return agent.environment().user();
    }

    @Override
    public AttachInfo attach() {
        return new AttachInfo(m.terminals().attachCommand(), m.id(), user(), m.terminals().sessionName());
    }

    @Override
    public void close() {
        // a view: the engine owns the machine
    }
}
