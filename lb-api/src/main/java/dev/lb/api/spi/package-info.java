/**
 * The strategy SPI: implement {@link dev.lb.api.spi.Strategy}, expose it through a
 * {@link dev.lb.api.spi.StrategyProvider} registered in {@code META-INF/services} (and {@code provides} in
 * {@code module-info}), and select it by name.
 */
package dev.lb.api.spi;
