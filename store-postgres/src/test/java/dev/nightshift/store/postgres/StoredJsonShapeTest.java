package dev.nightshift.store.postgres;

import dev.nightshift.api.spi.StoredJsonShapeContract;

/** The json columns (records, events, conversation lines) keeps its shape. */
class StoredJsonShapeTest extends StoredJsonShapeContract {
    @Override
    protected String write(Object value) throws Exception {
        return StoreJson.write(value);
    }

    @Override
    protected <T> T read(String json, Class<T> type) throws Exception {
        return StoreJson.MAPPER.readValue(json, type);
    }
}
