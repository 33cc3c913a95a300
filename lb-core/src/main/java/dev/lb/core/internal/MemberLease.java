package dev.lb.core.internal;

import dev.lb.api.Backend;
import dev.lb.api.spi.Lease;

/** One request in flight on a member; owned by the one thread that handles the request. */
public final class MemberLease implements Lease {
    private final Member member;
    private boolean released;

    MemberLease(Member member) {
        this.member = member;
    }

    @Override
    public Backend backend() {
        return member.backend();
    }

    /** The member this lease counts against. */
    public Member member() {
        return member;
    }

    /** Ends the request's count on its backend; later calls do nothing. */
    public void release() {
        if (!released) {
            released = true;
            member.release();
        }
    }
}
