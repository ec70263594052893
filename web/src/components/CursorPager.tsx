import { useState } from 'react';

/**
 * Paging by cursor (the server answers each page with the cursor of the next one): keeps the
 * cursors of the pages seen so that "previous" goes back without asking the server to count.
 */
export function useCursor() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  return {
    cursor: cursors[page],
    page,
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset: () => setCursors([undefined]),
  };
}

export function CursorPager(props: {
  readonly page: number;
  readonly next: string | null;
  readonly onNext: (cursor: string) => void;
  readonly onPrevious: () => void;
}) {
  const { page, next, onNext, onPrevious } = props;
  if (page === 0 && next === null) return null;
  return (
    <div className="pager">
      <button onClick={onPrevious} disabled={page === 0}>
        ‹ Prev
      </button>
      <span>page {page + 1}</span>
      <button onClick={() => next !== null && onNext(next)} disabled={next === null}>
        Next ›
      </button>
    </div>
  );
}
