package org.dinoj.tests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that asserts wall-clock time, so it runs with no other test class beside it: this
 * module's other classes run two at a time (tests/pom.xml), which would take cores it measured
 * or budgeted for.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {
    /** The JUnit tag tests/pom.xml selects for its serial execution. */
    String TAG = "runs-alone";
}
