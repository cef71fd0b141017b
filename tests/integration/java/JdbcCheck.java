// pgjdbc exercise for tests/integration/test_jdbc.py: run against akko and PostgreSQL with the
// same URL options; every line printed is "section|value...", compared by the Python side.
// A section that fails prints "section|ERROR|<SQLState>" and the rest still run.
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class JdbcCheck {
    static Connection conn;

    interface Section {
        void run(String name) throws Exception;
    }

    static void out(String section, Object... values) {
        StringBuilder line = new StringBuilder(section);
        for (Object value : values) {
            line.append('|').append(value);
        }
        System.out.println(line);
    }

    static void section(String name, Section body) {
        try {
            body.run(name);
        } catch (SQLException e) {
            out(name, "ERROR", e.getSQLState(), e.getMessage().replace('\n', ' '));
            try {
                if (!conn.getAutoCommit()) {
                    conn.rollback();
                }
            } catch (SQLException ignored) {
            }
        } catch (Exception e) {
            out(name, "ERROR", "java", e.toString().replace('\n', ' '));
        }
    }

    static String hex(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        if (args.length > 2) {
            props.setProperty("password", args[2]);
        }
        conn = DriverManager.getConnection(args[0], props);

        section("setup", name -> {
            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE IF EXISTS jd_t");
                st.execute("CREATE TABLE jd_t (id integer PRIMARY KEY, l bigint, s text, d double precision, "
                        + "n numeric(12,4), dt date, ts timestamp, b boolean, bin bytea)");
            }
            out(name, "ok");
        });

        section("insert", name -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jd_t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= 8; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, 9_000_000_000L * i - 3);
                    ps.setString(3, "row " + i + " ü '\"\t");
                    ps.setDouble(4, i / 8.0 - 0.3);
                    ps.setBigDecimal(5, new BigDecimal("1234.5678").multiply(BigDecimal.valueOf(i)).negate());
                    ps.setDate(6, java.sql.Date.valueOf(String.format("2024-02-%02d", i + 20)));
                    ps.setTimestamp(7, Timestamp.valueOf(String.format("2024-03-10 08:%02d:00.125", i)));
                    ps.setBoolean(8, i % 2 == 0);
                    ps.setBytes(9, new byte[] {0, (byte) i, (byte) 0xff, 'a'});
                    out(name, i, ps.executeUpdate());
                }
                ps.setInt(1, 9);
                ps.setNull(2, Types.BIGINT);
                ps.setNull(3, Types.VARCHAR);
                ps.setNull(4, Types.DOUBLE);
                ps.setNull(5, Types.NUMERIC);
                ps.setNull(6, Types.DATE);
                ps.setNull(7, Types.TIMESTAMP);
                ps.setNull(8, Types.BOOLEAN);
                ps.setNull(9, Types.BINARY);
                out(name, 9, ps.executeUpdate());
            }
        });

        section("select", name -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM jd_t WHERE id = ?")) {
                // More executions than prepareThreshold, so named statements and binary results kick in.
                for (int round = 0; round < 2; round++) {
                    for (int i = 1; i <= 9; i++) {
                        ps.setInt(1, i);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                BigDecimal n = rs.getBigDecimal(5);
                                out(name, rs.getInt(1), rs.getLong(2), rs.wasNull(), rs.getString(3), rs.getDouble(4),
                                        n == null ? "null" : n.toPlainString(), rs.getDate(6), rs.getTimestamp(7),
                                        rs.getBoolean(8), hex(rs.getBytes(9)), rs.getObject(2) == null ? "null"
                                                : rs.getObject(2).getClass().getSimpleName());
                            }
                        }
                    }
                }
            }
        });

        section("types", name -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT ?::integer + 1, ?::bigint * 2, ?::text || '!', ?::double precision / 4, ?::boolean, ?::date, "
                            + "?::numeric(10,3)")) {
                for (int i = 0; i < 7; i++) {
                    ps.setInt(1, 41 + i);
                    ps.setLong(2, -4_611_686_018_427_387_904L + i);
                    ps.setString(3, "é" + i);
                    ps.setDouble(4, 3.0 + i);
                    ps.setBoolean(5, i % 3 == 0);
                    ps.setDate(6, java.sql.Date.valueOf("1999-12-31"));
                    ps.setBigDecimal(7, new BigDecimal("-0.125"));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out(name, rs.getInt(1), rs.getLong(2), rs.getString(3), rs.getDouble(4), rs.getBoolean(5),
                                rs.getDate(6), rs.getBigDecimal(7).toPlainString());
                    }
                }
            }
        });

        section("batch", name -> {
            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE IF EXISTS jd_batch");
                st.execute("CREATE TABLE jd_batch (id integer, v text)");
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jd_batch VALUES (?, ?)")) {
                for (int i = 0; i < 50; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                int sum = 0;
                for (int c : counts) {
                    sum += c;
                }
                out(name, counts.length, sum);
            }
            try (Statement st = conn.createStatement(); ResultSet rs =
                    st.executeQuery("SELECT count(*), sum(id), min(v), max(v) FROM jd_batch")) {
                rs.next();
                out(name, rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4));
            }
        });

        section("transactions", name -> {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("INSERT INTO jd_batch VALUES (1000, 'rolled back')");
                conn.rollback();
                st.executeUpdate("INSERT INTO jd_batch VALUES (1001, 'committed')");
                conn.commit();
                try {
                    st.executeQuery("SELECT 'x'::integer");
                } catch (SQLException e) {
                    out(name, "error", e.getSQLState());
                }
                try {
                    st.executeQuery("SELECT 1");
                } catch (SQLException e) {
                    out(name, "after error", e.getSQLState());
                }
                conn.rollback();
                try (ResultSet rs = st.executeQuery("SELECT id FROM jd_batch WHERE id >= 1000 ORDER BY id")) {
                    while (rs.next()) {
                        out(name, rs.getInt(1));
                    }
                }
                conn.commit();
            } finally {
                conn.setAutoCommit(true);
            }
        });

        section("fetchsize", name -> {
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT g, 'x' || g AS s FROM generate_series(1, 1005) AS t(g) ORDER BY g")) {
                ps.setFetchSize(100);
                for (int round = 0; round < 3; round++) {
                    long rows = 0, sum = 0;
                    String last = null;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            sum += rs.getLong(1);
                            last = rs.getString(2);
                        }
                    }
                    out(name, rows, sum, last);
                }
                conn.commit();
            } finally {
                conn.setAutoCommit(true);
            }
        });

        section("tables", name -> {
            DatabaseMetaData md = conn.getMetaData();
            try (ResultSet rs = md.getTables(null, null, "jd_%", new String[] {"TABLE"})) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
                Collections.sort(names);
                out(name, names);
            }
        });

        section("columns", name -> {
            DatabaseMetaData md = conn.getMetaData();
            try (ResultSet rs = md.getColumns(null, null, "jd_t", null)) {
                while (rs.next()) {
                    out(name, rs.getInt("ORDINAL_POSITION"), rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"),
                            rs.getInt("DATA_TYPE"), rs.getInt("NULLABLE"));
                }
            }
        });

        section("primarykeys", name -> {
            DatabaseMetaData md = conn.getMetaData();
            try (ResultSet rs = md.getPrimaryKeys(null, null, "jd_t")) {
                while (rs.next()) {
                    out(name, rs.getString("COLUMN_NAME"), rs.getInt("KEY_SEQ"));
                }
            }
        });

        section("schemas", name -> {
            DatabaseMetaData md = conn.getMetaData();
            String tableSchema = null;
            try (ResultSet rs = md.getTables(null, null, "jd_t", null)) {
                if (rs.next()) {
                    tableSchema = rs.getString("TABLE_SCHEM");
                }
            }
            boolean found = false;
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) {
                    found |= rs.getString("TABLE_SCHEM").equals(tableSchema);
                }
            }
            out(name, tableSchema != null, found);
        });

        section("catalogs", name -> {
            DatabaseMetaData md = conn.getMetaData();
            List<String> catalogs = new ArrayList<>();
            try (ResultSet rs = md.getCatalogs()) {
                while (rs.next()) {
                    catalogs.add(rs.getString("TABLE_CAT"));
                }
            }
            out(name, catalogs.contains(conn.getCatalog()));
        });

        section("typeinfo", name -> {
            DatabaseMetaData md = conn.getMetaData();
            Map<String, Integer> types = new TreeMap<>();
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types.put(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"));
                }
            }
            for (String t : new String[] {"bool", "bytea", "date", "float8", "int4", "int8", "numeric", "text",
                    "timestamp", "varchar"}) {
                out(name, t, types.get(t));
            }
        });
        conn.close();
    }
}
