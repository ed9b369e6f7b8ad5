package dev.nightshift.core.internal;

import dev.nightshift.api.spi.StoredJsonShapeContract;

/** The file store's JSON (records, events, conversation lines) keeps its shape. */
class StoredJsonShapeTest extends StoredJsonShapeContract {
    @Override
    protected String write(Object value) throws Exception {
        return Json.write(value);
    }

    @Override
    protected <T> T read(String json, Class<T> type) throws Exception {
        return Json.mapper().readValue(json, type);
    }
}
