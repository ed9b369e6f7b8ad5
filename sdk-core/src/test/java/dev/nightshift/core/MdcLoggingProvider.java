package dev.nightshift.core;

import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * slf4j-simple with a working MDC for the tests (slf4j-simple's own MDC is a no-op, so what the
 * engine puts there could not be seen). Registered in {@code META-INF/services} of the test
 * classes, which come first on the test class path.
 */
public final class MdcLoggingProvider extends SimpleServiceProvider {
    private final MDCAdapter mdc = new BasicMDCAdapter();

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }
}
