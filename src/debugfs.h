/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _P2MO_DEBUGFS_H
#define _P2MO_DEBUGFS_H

#include <linux/seq_file.h>
#include "m2p.h"

/* The dumps behind the files; seq_file private data is the table. */
extern const struct seq_operations p2mo_m2p_seq_ops;
extern const struct seq_operations p2mo_p2m_seq_ops;
int p2mo_stats_show(struct seq_file *s, void *unused);
int p2mo_scan_foreign_show(struct seq_file *s, void *unused);
int p2mo_verify_show(struct seq_file *s, void *unused);
struct p2mo_sync_report;
void p2mo_sync_report_show(struct seq_file *s, const struct p2mo_sync_report *r);

void p2mo_debugfs_init(struct p2mo_table *t);
void p2mo_debugfs_uninit(void);

#endif /* _P2MO_DEBUGFS_H */
