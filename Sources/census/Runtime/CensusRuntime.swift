import API
import Consumer
import Foundation
import Hummingbird
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals
import Store

/// Wires the store, the ingest pipeline and the API into one `ServiceGroup` and runs it until SIGTERM/SIGINT.
struct CensusRuntime {
    let settings: Settings
    let logger: Logger
    /// The effective configuration (secrets redacted), logged once at start.
    var effective: [ConfigurationEntry] = []

    func run(consume: Bool, serve: Bool) async throws {
        let metrics = MetricsSetup()
        metrics.bootstrap()
        let store = try StoreWiring(
            settings.clickhouse, reads: settings.apiReads, logger: logger, metrics: ClickHouseMetrics(factory: metrics.factory))
        logger.info(
            "census starting",
            metadata: [
                "version": "\(Census.version)", "mode": "\(consume && serve ? "run" : consume ? "consume" : "serve")",
                "allocator": "\(AllocatorTuning.describe(environment: ProcessInfo.processInfo.environment))",
                "config": .dictionary(
                    Dictionary(uniqueKeysWithValues: effective.map { ($0.variable, .string("\($0.value) (\($0.source.rawValue))")) })),
            ])
        try await store.verifyCredentials(logger: logger)
        var services: [any Service] = []
        var ingestService: IngestService?
        let watchStore = ClickHouseWatchStore(client: store.client, schema: store.schema, logger: logger)
        let watch = WatchRegistry(maxValues: settings.watchMaxValues)
        if consume, let kafka = settings.kafka {
            let ingest: IngestService
            do {
                ingest = try IngestService(
                    configuration: .init(
                        kafka: kafka, topics: settings.topics, topicSignals: settings.topicSignals,
                        encoding: settings.encoding, policy: settings.policy, maxRecordBytes: settings.maxRecordBytes,
                        onOffsetRegression: settings.onOffsetRegression, deadLetterTopic: settings.deadLetterTopic,
                        analyzerLanes: settings.analyzerLanes, maxRecordRows: settings.maxRecordRows,
                        replayLockGroup: ReplayPlan.lockGroup(liveGroup: kafka.group, database: settings.clickhouse.database),
                        watch: watch),
                    sink: WriterSink(writer: store.writer, clock: store.serverClock), logger: logger,
                    metrics: PipelineMetrics(factory: metrics.factory))
            } catch {
                throw ConfigurationError(String(describing: error))
            }
            ingestService = ingest
            services.append(IngestRunner(store: store, ingest: ingest, watch: (watchStore, watch), logger: logger))
            if settings.retentionDays > 0 {
                services.append(
                    RetentionService(
                        retention: MetadataRetention(client: store.client, schema: store.schema, logger: logger),
                        days: settings.retentionDays, interval: settings.retentionInterval, logger: logger,
                        factory: metrics.factory))
            }
        }
        var watchRefresh = WatchRefreshService(store: watchStore, registry: watch, interval: settings.watchRefreshInterval, logger: logger)
        if serve {
            let router = Router()
            router.add(middleware: RequestMetricsMiddleware(factory: metrics.factory))
            // --api-cache-bytes is split evenly: decoded reads and rendered answers are about the same size per answer.
            // A key asked for at least every 10 s (or 10 ttls) is busy: it is answered at once, stale while it is refreshed in
            // the background; a dashboard polling every few seconds never waits for ClickHouse (see ReadCache).
            let reader = CachingMetadataReader(
                base: store.reader,
                configuration: .init(
                    ttl: settings.apiCacheTTL, maxBytes: settings.apiCacheBytes / 2,
                    staleFor: max(settings.apiCacheTTL * 10, .seconds(10)),
                    // With every read slot taken by callers that wait, one more would only queue: serve it stale.
                    saturatedAt: settings.apiReads.maxConcurrent))
            let rendered = RenderedResponseCache(
                ttl: settings.apiCacheTTL / 2, maxBytes: settings.apiCacheBytes / 2, isCurrent: { reader.isCurrent($0) })
            let readBytes = Gauge(label: "census_api_cache_bytes", dimensions: [("cache", "reads")], factory: metrics.factory)
            let renderedBytes = Gauge(label: "census_api_cache_bytes", dimensions: [("cache", "rendered")], factory: metrics.factory)
            // Another instance's watch change reaches this one by the reload: drop the answers with `watched` fields.
            watchRefresh.afterChange = { rendered.invalidateAll() }
            let admin = CensusAdmin(
                store: StoreAdmin(client: store.client, schema: store.schema, logger: logger), ingest: ingestService,
                afterClear: {
                    rendered.invalidateAll(); reader.invalidate()
                    // The cleared store lost the set values this process sent: send them again.
                    store.writer.setFilter?.reset()
                }, logger: logger)
            let readiness = CensusReadiness(
                client: store.probeClient, migrator: store.probeMigrator, ingest: ingestService,
                staleAfter: settings.policy.drainTimeout + .seconds(30), insertQuorum: settings.clickhouse.cluster.insertQuorum,
                migrationWait: store.migrationWait)
            CensusRoutes(
                v1: V1Routes(
                    reader: reader, admin: admin, adminToken: settings.adminToken, build: BuildStamp.current,
                    sessions: ClickHouseSessionStore(client: store.client, schema: store.schema, logger: logger),
                    watches: WatchAccess(store: watchStore, registry: watch, afterChange: { rendered.invalidateAll() })),
                v2: V2Routes(reader: CachingV2Reader(base: store.reader, sharing: reader)),
                quarantine: QuarantineRoutes(reader: store.quarantine, adminToken: settings.adminToken),
                operations: OperationsRoutes(
                    readiness: readiness,
                    exposition: {
                        // The caches' sizes are read when scraped: no request path touches a metric.
                        readBytes.record(reader.cachedBytes)
                        renderedBytes.record(rendered.bytes)
                        return metrics.exposition()
                    }),
                responseCache: rendered
            ).register(on: router)
            let limits = RequestLimits(
                maxURIBytes: settings.apiMaxURIBytes, maxHeaderBytes: settings.apiMaxHeaderBytes,
                readTimeout: .nanoseconds(Int64(settings.apiReadTimeout / .nanoseconds(1))))
            FileDescriptorLimit.raiseToHard(logger: logger)
            let app = Application(
                router: router, server: limits.http1Server(idleTimeout: .nanoseconds(Int64(settings.apiIdleTimeout / .nanoseconds(1)))),
                configuration: .init(address: .hostname(settings.apiHost, port: settings.apiPort), serverName: "census"),
                logger: logger)
            services.append(app)
        }
        services.append(watchRefresh)
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.policy.drainTimeout + .seconds(15)
        try await ServiceGroup(configuration: configuration).run()
        logger.info("census stopped")
    }
}

/// Makes sure the schema exists (retrying while ClickHouse is unreachable), then runs the ingest pipeline.
struct IngestRunner: Service {
    let store: StoreWiring
    let ingest: IngestService
    /// The deep-watch list, loaded once after the migration so that the first window collects the watched keys.
    let watch: (store: ClickHouseWatchStore, registry: WatchRegistry)
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                _ = try await store.migrate(retryFor: nil, logger: logger)
            }
        } catch is CancellationError {
            return
        } catch let error as ClickHouseError where error.kind == .cancelled {
            // SIGTERM while a migration statement was in flight (a slow ON CLUSTER DDL): a clean stop, not a failure.
            logger.info("stopped while migrating; the next start resumes the migration", metadata: ["error": "\(error)"])
            return
        }
        if Task.isCancelled || Task.isShuttingDownGracefully { return }
        await WatchRefreshService.loadInitially(watch.store, into: watch.registry, for: .seconds(30), logger: logger)
        try await ingest.run()
    }
}
