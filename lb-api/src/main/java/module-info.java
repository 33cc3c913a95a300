/**
 * Public types of the load balancer and the strategy SPI. Depends on the JDK only.
 */
module dev.lb.api {
    exports dev.lb.api;
    exports dev.lb.api.spi;
}
