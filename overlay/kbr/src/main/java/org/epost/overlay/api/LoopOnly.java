package org.epost.overlay.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotated method (or every method of the annotated type) may be called only on the node's
 * event loop; from another thread go through {@link LoopBridge}. Public entry points that a caller
 * on another thread could reach by mistake also check it at run time ({@link
 * LoopConfinement#check}). Documentation for readers; nothing processes it.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.CONSTRUCTOR})
public @interface LoopOnly {}
