package dev.nightshift.api.spi;

class ReferenceKmsConformanceTest extends KmsConformanceTest {
    @Override
    protected Kms kms() {
        return new ReferenceKms();
    }

    @Override
    protected Kms otherKms() {
        return new ReferenceKms();
    }
}
