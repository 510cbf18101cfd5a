"""What goes in and out of the library as files and text: ``images`` loads photos safely (formats, EXIF, modes,
alpha, size limits), ``png`` writes exact PNGs fast, ``kernel_io`` reads typed cells, pasted matrices and kernel
JSON strictly, ``acf`` reads and writes Photoshop's Custom filter files."""
