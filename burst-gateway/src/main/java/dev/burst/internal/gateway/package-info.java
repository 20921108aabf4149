/** The gateway server: placeholder while the module is built up. */
package dev.burst.internal.gateway;
