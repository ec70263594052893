/** Previous / next over a server-side result of `total` items, `size` per page. */
export function Pager(props: {
  readonly page: number;
  readonly size: number;
  readonly total: number | undefined;
  readonly shown: number;
  readonly onPage: (page: number) => void;
}) {
  const { page, size, total, shown, onPage } = props;
  const pages = total === undefined ? undefined : Math.max(1, Math.ceil(total / size));
  const hasNext = pages === undefined ? shown === size : page + 1 < pages;
  return (
    <div className="pager">
      <button onClick={() => onPage(0)} disabled={page === 0}>
        «
      </button>
      <button onClick={() => onPage(page - 1)} disabled={page === 0}>
        ‹ Prev
      </button>
      <span>
        page {page + 1}
        {pages !== undefined ? ` of ${pages.toLocaleString()}` : ''}
        {total !== undefined ? ` · ${total.toLocaleString()} rows` : ''}
      </span>
      <button onClick={() => onPage(page + 1)} disabled={!hasNext}>
        Next ›
      </button>
      {pages !== undefined && (
        <button onClick={() => onPage(pages - 1)} disabled={!hasNext}>
          »
        </button>
      )}
    </div>
  );
}
