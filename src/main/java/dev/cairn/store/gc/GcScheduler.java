package dev.cairn.store.gc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs garbage collection every {@code castore.gc.interval} inside the server and publishes the
 * last run on {@code /metrics}. It is a worker verticle on a pool of one thread of its own
 * ({@code cairn-gc}), so the collection's own work (decoding directories, marking) never runs
 * on an event loop; a run still in progress when the timer fires again is not doubled.
 */
public final class GcScheduler extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.gc");

  private final GarbageCollector gc;
  private final Duration interval;
  private final Duration grace;
  private final AtomicReference<GcReport> last = new AtomicReference<>();
  private final MeterRegistry registry;
  private volatile boolean lastFailed;
  private long timer = -1;
  private volatile boolean stopping;
  private Future<?> running = Future.succeededFuture();

  private GcScheduler(GarbageCollector gc, Duration interval, Duration grace, MeterRegistry registry) {
    this.gc = gc;
    this.interval = interval;
    this.grace = grace;
    this.registry = registry;
    gauge(registry, "cairn.gc.last.run.timestamp", "seconds", "Start of the last scheduled garbage collection (epoch seconds)",
        r -> r.startedAtMillis() / 1000.0);
    gauge(registry, "cairn.gc.last.run.duration", "seconds", "How long the last scheduled garbage collection took",
        r -> r.durationMillis() / 1000.0);
    gauge(registry, "cairn.gc.last.run.freed", "bytes", "Chunk bytes the last scheduled garbage collection freed",
        r -> (double) r.chunkBytes());
    objects(registry, "directories", GcReport::directories);
    objects(registry, "blobs", GcReport::blobs);
    objects(registry, "nar_calculations", GcReport::narCalculations);
    objects(registry, "chunks", GcReport::chunks);
    Gauge.builder("cairn.gc.last.run.failed", this, s -> s.lastFailed ? 1 : 0)
        .description("1 when the last scheduled garbage collection failed").register(registry);
  }

  /**
   * Deploys the scheduler when {@code config} has an interval; the future holds what to call at
   * shutdown, before the store closes (nothing to do when scheduling is off).
   */
  public static Future<Supplier<Future<Void>>> deploy(Vertx vertx, GarbageCollector gc, GcConfig config, MeterRegistry registry) {
    if (config.interval().isEmpty()) {
      return Future.succeededFuture(Future::succeededFuture);
    }
    GcScheduler scheduler = new GcScheduler(gc, config.interval().get(), config.grace(), registry);
    return vertx.deployVerticle(scheduler, new DeploymentOptions()
            .setThreadingModel(ThreadingModel.WORKER).setWorkerPoolName("cairn-gc").setWorkerPoolSize(1))
        .map(id -> () -> vertx.undeploy(id));
  }

  private void gauge(MeterRegistry registry, String name, String unit, String help, ToDoubleFunction<GcReport> value) {
    Gauge.builder(name, last, ref -> ref.get() == null ? Double.NaN : value.applyAsDouble(ref.get()))
        .baseUnit(unit).description(help).register(registry);
  }

  private void objects(MeterRegistry registry, String kind, ToDoubleFunction<GcReport> value) {
    Gauge.builder("cairn.gc.last.run.freed.objects", last, ref -> ref.get() == null ? Double.NaN : value.applyAsDouble(ref.get()))
        .tag("kind", kind).description("Objects the last scheduled garbage collection freed, by kind").register(registry);
  }

  /** Totals over every scheduled run, so a rate survives scrapes that miss a run. */
  private void count(GcReport r) {
    freedTotal("directories").increment(r.directories());
    freedTotal("blobs").increment(r.blobs());
    freedTotal("nar_calculations").increment(r.narCalculations());
    freedTotal("chunks").increment(r.chunks());
    Counter.builder("cairn.gc.freed").baseUnit("bytes").description("Chunk bytes freed by scheduled garbage collection")
        .register(registry).increment(r.chunkBytes());
  }

  private Counter freedTotal(String kind) {
    return Counter.builder("cairn.gc.freed.objects").tag("kind", kind)
        .description("Objects freed by scheduled garbage collection, by kind").register(registry);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(interval.toMillis(), interval.toMillis(), id -> runOnce());
    LOG.info("garbage collection every " + interval + " (grace " + grace + ")");
    return Future.succeededFuture();
  }

  private void runOnce() {
    if (!running.isComplete()) {
      LOG.warning("garbage collection still running after " + interval + "; skipping this turn");
      return;
    }
    running = gc.run(new GcOptions(grace, false)).onComplete(ar -> {
      if (ar.succeeded()) {
        last.set(ar.result());
        lastFailed = false;
        count(ar.result());
      } else if (ar.cause() instanceof GcBusyException busy) {
        LOG.info("garbage collection skipped: " + busy.getMessage());
      } else if (!(ar.cause() instanceof GcStoppedException && stopping)) {
        lastFailed = true;
        LOG.log(Level.SEVERE, "garbage collection failed", ar.cause());
      }
    });
  }

  /** Cancels the timer and stops a run in progress at its next step. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    gc.stop();
    return running.recover(e -> Future.succeededFuture());
  }
}
