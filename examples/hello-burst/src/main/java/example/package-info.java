/**
 * A Burst user's program: sums squares with one task per number on an elastic local cluster. It
 * depends on Burst's public API ({@code dev.burst}) only, through the installed artifacts and the BOM.
 */
package example;
