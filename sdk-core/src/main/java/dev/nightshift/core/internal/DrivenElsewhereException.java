package dev.nightshift.core.internal;

import dev.nightshift.api.ConflictException;

/** The agent's lease is held by another engine: controls go to that engine (see {@link RemoteControls}). */
public final class DrivenElsewhereException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public DrivenElsewhereException(String message) {
        super(message);
    }
}
