/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _P2MO_DEBUGFS_H
#define _P2MO_DEBUGFS_H

#include "table.h"

void p2mo_debugfs_init(struct p2mo_table *t);
void p2mo_debugfs_uninit(void);

#endif /* _P2MO_DEBUGFS_H */
