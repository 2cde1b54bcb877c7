// Reads a ZIP front to back with java.util.zip.ZipInputStream (no central directory) and
// prints "<sha256>  <name>" for each entry. ZipInputStream refuses stored entries whose
// sizes are only in a data descriptor ("only DEFLATED entries can have EXT descriptor").
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class ZipStream {
    public static void main(String[] args) throws Exception {
        try (ZipInputStream zin = new ZipInputStream(
                new BufferedInputStream(new FileInputStream(args[0])))) {
            byte[] buf = new byte[1 << 16];
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                int n;
                while ((n = zin.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
                System.out.println(HexFormat.of().formatHex(md.digest()) + "  " + e.getName());
            }
        }
    }
}
