import java.sql.*;
import java.util.*;

// Drives pgjdbc's DatabaseMetaData and prints what it returns, one result set per call.
public class Harvest {
    static void dump(String title, ResultSet rs, String... cols) throws SQLException {
        System.out.println("## " + title);
        ResultSetMetaData md = rs.getMetaData();
        List<String> names = new ArrayList<>();
        if (cols.length == 0) { for (int i = 1; i <= md.getColumnCount(); i++) names.add(md.getColumnName(i)); }
        else names = Arrays.asList(cols);
        System.out.println(String.join("\t", names));
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (String n : names) { String v = rs.getString(n); row.add(v == null ? "NULL" : v); }
            System.out.println(String.join("\t", row));
        }
        rs.close();
    }
    public static void main(String[] args) throws Exception {
        String url = args[0];
        Properties p = new Properties();
        String user = System.getenv("PGUSER"), password = System.getenv("PGPASSWORD");
        p.setProperty("user", user == null ? "akko" : user);
        p.setProperty("password", password == null ? "akko" : password);
        p.setProperty("ApplicationName", "h_jdbc");
        try (Connection c = DriverManager.getConnection(url, p)) {
            DatabaseMetaData md = c.getMetaData();
            System.out.println("product " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
            String schema = c.getSchema();
            System.out.println("schema " + schema);
            dump("getCatalogs", md.getCatalogs());
            dump("getSchemas", md.getSchemas());
            dump("getSchemas(pattern)", md.getSchemas(null, schema));
            dump("getTableTypes", md.getTableTypes());
            dump("getTables", md.getTables(null, schema, "%", new String[] {"TABLE", "VIEW"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE");
            dump("getTables(all)", md.getTables(null, null, "customers", null), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE");
            dump("getColumns", md.getColumns(null, schema, "kinds", "%"), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "ORDINAL_POSITION");
            dump("getColumns(customers)", md.getColumns(null, schema, "customers", null), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "COLUMN_DEF", "IS_NULLABLE", "ORDINAL_POSITION");
            dump("getPrimaryKeys", md.getPrimaryKeys(null, schema, "customers"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
            dump("getImportedKeys", md.getImportedKeys(null, schema, "orders"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "FK_NAME", "PK_NAME");
            dump("getIndexInfo", md.getIndexInfo(null, schema, "orders", false, false), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "ORDINAL_POSITION", "COLUMN_NAME");
            dump("getTypeInfo", md.getTypeInfo(), "TYPE_NAME", "DATA_TYPE");
            // Type lookups that happen when reading typed results and binding arrays.
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM kinds")) {
                ResultSetMetaData rmd = rs.getMetaData();
                System.out.println("## resultset metadata");
                for (int i = 1; i <= rmd.getColumnCount(); i++)
                    System.out.println(rmd.getColumnName(i) + "\t" + rmd.getColumnType(i) + "\t" + rmd.getColumnTypeName(i) + "\t" + rmd.isNullable(i) + "\t" + rmd.getTableName(i) + "\t" + rmd.isAutoIncrement(i));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::int[] AS a")) {
                ps.setArray(1, c.createArrayOf("int4", new Object[] {1, 2}));
                try (ResultSet rs = ps.executeQuery()) { rs.next(); System.out.println("array " + rs.getArray(1)); }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT order_id, amount FROM orders WHERE customer_id = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) { while (rs.next()) {} }
            }
        }
    }
}
