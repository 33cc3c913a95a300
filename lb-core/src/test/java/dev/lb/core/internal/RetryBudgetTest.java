package dev.lb.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private final ManualScheduler clock = new ManualScheduler();

    private static int withdrawAll(RetryBudget budget) {
        int retries = 0;
        while (budget.tryWithdraw()) {
            retries++;
        }
        return retries;
    }

    @Test
    void startsWithTenSecondsOfTheFloorAndRefillsAtTheFloorRate() {
        RetryBudget budget = new RetryBudget(0, 10, clock);
        assertEquals(100, withdrawAll(budget));
        clock.advance(Duration.ofMillis(500));
        assertEquals(5, withdrawAll(budget));
        clock.advance(Duration.ofHours(1));
        assertEquals(100, withdrawAll(budget), "a quiet hour saves up no more than the cap");
    }

    @Test
    void requestsDepositTheirPercentage() {
        RetryBudget budget = new RetryBudget(20, 0, clock);
        assertFalse(budget.available(), "no floor and no requests yet: no retries");
        for (int i = 0; i < 10; i++) {
            budget.deposit();
        }
        assertEquals(1, withdrawAll(budget), "the cap is one retry without a floor");
        for (int i = 0; i < 4; i++) {
            budget.deposit();
        }
        assertFalse(budget.tryWithdraw(), "4 requests x 20% is not yet a whole retry");
        budget.deposit();
        assertTrue(budget.tryWithdraw(), "the fifth makes one");
    }

    @Test
    void underAnOutageRetriesStayNearTheConfiguredShare() {
        RetryBudget budget = new RetryBudget(20, 10, clock);
        withdrawAll(budget); // spend the initial reserve
        int retries = 0;
        for (int second = 0; second < 10; second++) {
            for (int i = 0; i < 1000; i++) { // 1,000 failing requests a second, each wanting a retry
                budget.deposit();
                retries += budget.tryWithdraw() ? 1 : 0;
                clock.advance(Duration.ofMillis(1));
            }
        }
        // 20% of 10,000 requests plus 10/s for 10 s
        assertTrue(retries >= 2000 && retries <= 2100, "retries: " + retries);
    }

    @Test
    void zeroPercentAndZeroFloorNeverRetries() {
        RetryBudget budget = new RetryBudget(0, 0, clock);
        budget.deposit();
        clock.advance(Duration.ofSeconds(5));
        assertFalse(budget.tryWithdraw());
    }
}
