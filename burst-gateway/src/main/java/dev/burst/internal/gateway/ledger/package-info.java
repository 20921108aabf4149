/**
 * The gateway's records in a database: users, groups, API tokens (hashes only), limits and
 * budgets, clusters with why they stopped, their workers, and usage. JDBC through HikariCP, the
 * schema by Flyway migrations ({@code db/gateway/V*.sql}), queries with Jdbi, every value bound
 * as a parameter. H2 embedded (a file under the gateway's data directory) by default; PostgreSQL
 * in production. Depends on nothing of the gateway's server or clusters.
 */
package dev.burst.internal.gateway.ledger;
