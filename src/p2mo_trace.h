/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace system p2m_override: override add/remove, FOREIGN tag set/clear,
 * map/unmap batches and hook attach/detach.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM p2m_override

#if !defined(_P2MO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _P2MO_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(p2mo_override_class,
		    TP_PROTO(unsigned long mfn, unsigned long bpfn, int err),
		    TP_ARGS(mfn, bpfn, err),
		    TP_STRUCT__entry(__field(unsigned long, mfn)
				     __field(unsigned long, bpfn)
				     __field(int, err)),
		    TP_fast_assign(__entry->mfn = mfn;
				   __entry->bpfn = bpfn;
				   __entry->err = err;),
		    TP_printk("mfn=%#lx bpfn=%#lx err=%d", __entry->mfn,
			      __entry->bpfn, __entry->err)
);

DEFINE_EVENT(p2mo_override_class, p2mo_override_add,
	     TP_PROTO(unsigned long mfn, unsigned long bpfn, int err),
	     TP_ARGS(mfn, bpfn, err));

DEFINE_EVENT(p2mo_override_class, p2mo_override_remove,
	     TP_PROTO(unsigned long mfn, unsigned long bpfn, int err),
	     TP_ARGS(mfn, bpfn, err));

DECLARE_EVENT_CLASS(p2mo_tag_class,
		    TP_PROTO(unsigned long pfn, unsigned long mfn),
		    TP_ARGS(pfn, mfn),
		    TP_STRUCT__entry(__field(unsigned long, pfn)
				     __field(unsigned long, mfn)),
		    TP_fast_assign(__entry->pfn = pfn;
				   __entry->mfn = mfn;),
		    TP_printk("pfn=%#lx mfn=%#lx", __entry->pfn, __entry->mfn)
);

DEFINE_EVENT(p2mo_tag_class, p2mo_tag_set,
	     TP_PROTO(unsigned long pfn, unsigned long mfn),
	     TP_ARGS(pfn, mfn));

DEFINE_EVENT(p2mo_tag_class, p2mo_tag_clear,
	     TP_PROTO(unsigned long pfn, unsigned long mfn),
	     TP_ARGS(pfn, mfn));

DECLARE_EVENT_CLASS(p2mo_batch_class,
		    TP_PROTO(unsigned int count, unsigned int done, bool hooked,
			     int err),
		    TP_ARGS(count, done, hooked, err),
		    TP_STRUCT__entry(__field(unsigned int, count)
				     __field(unsigned int, done)
				     __field(bool, hooked)
				     __field(int, err)),
		    TP_fast_assign(__entry->count = count;
				   __entry->done = done;
				   __entry->hooked = hooked;
				   __entry->err = err;),
		    TP_printk("count=%u done=%u source=%s err=%d",
			      __entry->count, __entry->done,
			      __entry->hooked ? "hook" : "api", __entry->err)
);

DEFINE_EVENT(p2mo_batch_class, p2mo_map_refs,
	     TP_PROTO(unsigned int count, unsigned int done, bool hooked,
		      int err),
	     TP_ARGS(count, done, hooked, err));

DEFINE_EVENT(p2mo_batch_class, p2mo_unmap_refs,
	     TP_PROTO(unsigned int count, unsigned int done, bool hooked,
		      int err),
	     TP_ARGS(count, done, hooked, err));

TRACE_EVENT(p2mo_hook,
	    TP_PROTO(const char *symbol, bool attach, int err),
	    TP_ARGS(symbol, attach, err),
	    TP_STRUCT__entry(__string(symbol, symbol)
			     __field(bool, attach)
			     __field(int, err)),
	    TP_fast_assign(__assign_str(symbol, symbol);
			   __entry->attach = attach;
			   __entry->err = err;),
	    TP_printk("%s %s err=%d", __entry->attach ? "attach" : "detach",
		      __get_str(symbol), __entry->err)
);

#endif /* _P2MO_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE p2mo_trace
#include <trace/define_trace.h>
