-- The bench night through DuckDB: the lighter SQL version of slipway's job, the peer
-- that make bench times beside the engine (bench/README.md, "The DuckDB peer").
--
-- It reads the generated night's catalog, inventory and orders, checks every order
-- line, ranks the valid orders, reserves stock ship-complete with a window sum per SKU,
-- numbers the slips and writes slips.csv and order_status.csv in slipway's columns and
-- order. What it leaves out, and where its reservation differs from slipway's, is
-- listed in bench/README.md and at each step below.
--
-- run.mjs sets these variables before running this file:
--   catalog, inventory, orders   input paths (orders may be .csv or .csv.zst)
--   out_dir                      existing folder for slips.csv and order_status.csv
--   run_date                     the business date (DATE) of slip numbers and ship_date
--
-- Every input column is read as text (all_varchar) and checked here, as slipway checks
-- the text it reads: DuckDB's own type detection would turn a bad value into a failed
-- load or a NULL, where the job needs a code on the line. Blank fields read as NULL.

-- ---- reference data ----------------------------------------------------------------------
-- The catalog is clean reference data (slipway refuses the run otherwise), so its
-- values are cast outright.
CREATE TEMP TABLE catalog AS
SELECT sku,
       name,
       status,
       currency,
       bin,
       CAST(min_price AS DECIMAL(18, 2)) AS min_price
FROM read_csv(getvariable('catalog'), header = true, all_varchar = true);

-- One stock counter per SKU: its first warehouse in byte order of names (slipway's order
-- when the policy names none). slipway serves a line from the first warehouse that
-- covers it whole and falls back to the next ones; this peer only uses the first.
CREATE TEMP TABLE stock AS
SELECT sku,
       min(warehouse) AS warehouse,
       arg_min(greatest(on_hand - safety_stock, 0), warehouse) AS free
FROM (
    SELECT sku,
           coalesce(warehouse, 'MAIN') AS warehouse,
           CAST(on_hand AS BIGINT) AS on_hand,
           coalesce(CAST(safety_stock AS BIGINT), 0) AS safety_stock
    FROM read_csv(getvariable('inventory'), header = true, all_varchar = true)
)
GROUP BY sku;

-- ---- order rows ----------------------------------------------------------------------------
-- The orders file as read, the columns this job uses (customer_id and the order totals
-- are not checked here; see bench/README.md). Its rowid is the row's place in the file:
-- a table created from one read keeps the reader's order while preserve_insertion_order
-- is on (DuckDB's default), so line numbers and ties follow file order.
CREATE TEMP TABLE order_rows AS
SELECT order_id, order_time, sku, qty, unit_price, currency, channel, priority,
       ship_name, ship_street, ship_city, ship_region, ship_postal, ship_country,
       ship_service
FROM read_csv(getvariable('orders'), header = true, all_varchar = true,
              delim = ',', quote = '"', escape = '"');

-- ---- checks ---------------------------------------------------------------------------------
-- Each row is one line of its order; line_no is its place among the order's rows
-- (1-based, file order). A row repeating another row of its order is one more line here
-- (slipway drops it as DUPLICATE_ROW).
--
-- One code per line, the first that applies in slipway's code order. Money: digits, and
-- at most two decimals (the bench night's one currency has two minor digits; slipway
-- looks each currency's digits up in ISO 4217). Times: what DuckDB casts to TIMESTAMPTZ
-- (slipway's own rule differs in detail: years 1970-2099, its offset forms).
CREATE TEMP TABLE checked AS
SELECT l.src,
       row_number() OVER lines_of_order AS line_no,
       l.order_id,
       l.sku,
       l.qty,
       l.unit_price,
       first_value(l.currency) OVER lines_of_order AS currency,  -- the order's
       CASE
           WHEN l.sku IS NULL OR l.qty_text IS NULL OR l.price_text IS NULL
               THEN 'MISSING_FIELD'
           WHEN NOT regexp_full_match(l.price_text, '[0-9]+(\.[0-9]{1,2})?') THEN 'BAD_NUMBER'
           WHEN NOT regexp_full_match(l.qty_text, '[0-9]{1,18}') OR l.qty = 0 THEN 'BAD_QTY'
           WHEN l.order_time IS NOT NULL AND TRY_CAST(l.order_time AS TIMESTAMPTZ) IS NULL
               THEN 'BAD_DATE'
           WHEN c.sku IS NULL THEN 'UNKNOWN_SKU'
           WHEN c.status <> 'active' THEN 'SKU_INACTIVE'
           WHEN l.unit_price < c.min_price THEN 'PRICE_BELOW_MIN'
           WHEN first_value(l.currency) OVER lines_of_order IS DISTINCT FROM c.currency
               THEN 'CURRENCY_MISMATCH'
       END AS code
FROM (
    SELECT rowid AS src,
           order_id, order_time, sku, currency,
           qty AS qty_text,
           unit_price AS price_text,
           TRY_CAST(qty AS BIGINT) AS qty,  -- NULL where the text is no number
           TRY_CAST(unit_price AS DECIMAL(18, 2)) AS unit_price
    FROM order_rows
) AS l
LEFT JOIN catalog AS c USING (sku)
WINDOW lines_of_order AS (PARTITION BY l.order_id ORDER BY l.src);

-- One row per order: the order-level fields of its first line (slipway also fills a
-- blank from any other line and reports lines that disagree, INCONSISTENT_ORDER; the
-- bench night repeats them on every line), what its lines add up to, and its verdict.
-- An order needs a time, a currency and a ship-to, else MISSING_FIELD on its first
-- line. It is REJECTED with the code of its first bad line (lowest line; MISSING_FIELD
-- is first in slipway's code order, so the order's own beats any on line 1), or valid.
-- Lines whose quantity or price could not be read add 0.
CREATE TEMP TABLE orders AS
WITH totals AS (
    SELECT order_id,
           count(*) AS lines,
           coalesce(sum(qty), 0) AS units,
           coalesce(sum(qty * unit_price), 0) AS amount,
           arg_min(code, line_no) FILTER (WHERE code IS NOT NULL) AS line_code
    FROM checked
    GROUP BY order_id
),
heads AS (
    SELECT r.order_id,
           r.channel,
           r.currency,
           coalesce(TRY_CAST(r.priority AS BIGINT), 0) AS priority,
           TRY_CAST(r.order_time AS TIMESTAMPTZ) AS order_time,
           r.ship_name, r.ship_street, r.ship_city, r.ship_region, r.ship_postal,
           r.ship_country, r.ship_service,
           CASE
               WHEN r.order_time IS NULL OR r.currency IS NULL OR r.ship_name IS NULL
                    OR r.ship_street IS NULL OR r.ship_city IS NULL
                    OR r.ship_country IS NULL THEN 'MISSING_FIELD'
           END AS order_code
    FROM order_rows AS r
    SEMI JOIN checked AS k ON r.rowid = k.src AND k.line_no = 1
)
SELECT h.* EXCLUDE (order_code),
       t.lines, t.units, t.amount,
       coalesce(h.order_code, t.line_code) AS reject_code
FROM heads AS h
JOIN totals AS t USING (order_id);

-- Valid orders in rank order: priority (higher first), order time, order id in byte
-- order.
CREATE TEMP TABLE ranked AS
SELECT order_id,
       row_number() OVER (ORDER BY priority DESC, order_time, order_id) AS rank
FROM orders
WHERE reject_code IS NULL;

-- ---- reservation ------------------------------------------------------------------------------
-- Ship complete, as one window sum: a line fits when the units that valid orders ranked
-- up to it ask of its SKU (its own included) are within the SKU's free stock, and an
-- order ships when all its lines fit. Unlike slipway's walk in rank order, a
-- BACKORDERED order's units still count against the orders after it here (a set-based
-- sum cannot give them back), so under scarcity this peer ships fewer orders, never
-- more.
CREATE TEMP TABLE shipped AS
SELECT order_id, rank
FROM (
    SELECT k.order_id,
           r.rank,
           sum(k.qty) OVER (PARTITION BY k.sku ORDER BY r.rank, k.line_no
                            ROWS UNBOUNDED PRECEDING) <= coalesce(s.free, 0) AS fits
    FROM checked AS k
    JOIN ranked AS r USING (order_id)
    LEFT JOIN stock AS s USING (sku)
)
GROUP BY order_id, rank
HAVING bool_and(fits);

-- ---- outputs ------------------------------------------------------------------------------------
-- slips.csv: one row per shipped line in slipway's columns. One slip per shipped order
-- and warehouse (an order whose SKUs sit in different first warehouses gets two),
-- numbered in rank order, the warehouses of one order in byte order of their names;
-- sorted by slip number (as a number: past 999,999 the number grows a digit), then line.
COPY (
    SELECT format('OUT-{}-{:06d}', strftime(getvariable('run_date'), '%Y%m%d'),
                  dense_rank() OVER (ORDER BY s.rank, st.warehouse)) AS slip_no,
           k.order_id, o.channel, k.line_no, k.sku, c.name, k.qty, k.unit_price,
           k.qty * k.unit_price AS line_amount,
           k.currency, st.warehouse, c.bin,
           o.ship_name, o.ship_street, o.ship_city, o.ship_region, o.ship_postal,
           o.ship_country, o.ship_service,
           getvariable('run_date') AS ship_date
    FROM shipped AS s
    JOIN checked AS k USING (order_id)
    JOIN orders AS o USING (order_id)
    JOIN stock AS st USING (sku)
    JOIN catalog AS c USING (sku)
    ORDER BY s.rank, st.warehouse, k.line_no
) TO (getvariable('out_dir') || '/slips.csv') (HEADER);

-- order_status.csv: one row per order id, sorted by it. lines, units and amount are what
-- shipped for SHIPPED (the whole order) and what was ordered otherwise; BACKORDERED
-- carries INSUFFICIENT_STOCK.
COPY (
    SELECT o.order_id,
           o.channel,
           CASE
               WHEN o.reject_code IS NOT NULL THEN 'REJECTED'
               WHEN s.order_id IS NOT NULL THEN 'SHIPPED'
               ELSE 'BACKORDERED'
           END AS status,
           o.lines, o.units, o.amount, o.currency,
           CASE
               WHEN o.reject_code IS NOT NULL THEN o.reject_code
               WHEN s.order_id IS NULL THEN 'INSUFFICIENT_STOCK'
           END AS code
    FROM orders AS o
    LEFT JOIN shipped AS s USING (order_id)
    ORDER BY o.order_id
) TO (getvariable('out_dir') || '/order_status.csv') (HEADER);
