/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Singly linked RCU hash chains: one pointer per bucket, one per entry.
 *
 * Why not hlist: every writer of these tables walks the chain from its
 * bucket, with the stripe lock held, to find the entry by key before it
 * unlinks it, so it holds the link that points at the entry.  hlist's
 * back pointer would cost eight bytes per entry, and a store into the
 * next entry's cache line on every add and remove.
 *
 * Rules:
 * - Writers hold the bucket's stripe lock (htab.h) and follow the plain
 *   pointers; readers walk under rcu_read_lock() with
 *   p2mo_chain_first_rcu() and p2mo_link_next_rcu().
 * - An entry is published by one store, rcu_assign_pointer() of the link
 *   that will point at it, after its own next is set.
 * - An entry is unlinked by one store, WRITE_ONCE() of the link that
 *   points at it, and keeps its own next: a reader standing on it walks
 *   on, as after hlist_del_rcu().  What a reader must check when entries
 *   are reused before a grace period is the table's rule (table.h).
 */
#ifndef _P2MO_CHAIN_H
#define _P2MO_CHAIN_H

#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/rcupdate.h>

struct p2mo_link {
	struct p2mo_link *next;
};

/* A bucket: the link to its first entry. */
struct p2mo_chain {
	struct p2mo_link *first;
};

/* A link seen as RCU-protected, for rcu_dereference()/rcu_assign_pointer(). */
#define p2mo_link_rcu(pp)	(*((struct p2mo_link __rcu **)(pp)))

/* The entry of type @type whose member @member is @link, or NULL. */
#define p2mo_link_entry(link, type, member) ({				\
	struct p2mo_link *____l = (link);				\
	____l ? container_of(____l, type, member) : NULL;		\
})

/*
 * Publish @new at the link @pp (a chain's first or an entry's next).  A
 * reused entry may still have a reader on it: its next is set once.
 */
static inline void p2mo_link_insert(struct p2mo_link **pp,
				    struct p2mo_link *new)
{
	WRITE_ONCE(new->next, *pp);
	rcu_assign_pointer(p2mo_link_rcu(pp), new);
}

/* Unlink the entry the link @pp points at; it keeps its own next. */
static inline void p2mo_link_remove(struct p2mo_link **pp)
{
	WRITE_ONCE(*pp, (*pp)->next);
}

/* Readers, under rcu_read_lock(): the first link of @chain, the next one. */
static inline struct p2mo_link *p2mo_chain_first_rcu(struct p2mo_chain *chain)
{
	return rcu_dereference(p2mo_link_rcu(&chain->first));
}

static inline struct p2mo_link *p2mo_link_next_rcu(struct p2mo_link *link)
{
	return rcu_dereference(p2mo_link_rcu(&link->next));
}

#endif /* _P2MO_CHAIN_H */
