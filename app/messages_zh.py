"""简体中文: every text of the app in Chinese, keyed by its English original (see ``app.i18n``).

Terms as the Chinese articles this project started from use them: 卷积核 (kernel), 卷积 (convolution),
相关 (correlation), 锐化, 模糊, 高斯模糊, 浮雕, 轮廓, 索贝尔, 拉普拉斯, 步幅 (stride), 膨胀 (dilation),
填充 (padding), 边界模式, 除数, 偏移, 归一化, 灰度, 线性光, 直方图, 原图 / 结果.
Numbers, {placeholders}, units (px, MB) and file formats stay as they are.
"""

from __future__ import annotations

from imgkernel.catalogue import CATALOGUE

MESSAGES: dict[str, str] = {
    # -- the entry script: the switch and the pages ------------------------------------------------------------
    "Playground": "卷积核游乐场",
    "Learn": "学习",
    "Pixel walkthrough": "逐像素演示",
    "Gallery": "效果画廊",
    "CNN layer": "CNN 卷积层",
    "Kernel lab": "卷积核实验室",
    "Fit a kernel": "拟合卷积核",
    "Sliding window": "滑动窗口",
    "Mystery kernel": "神秘卷积核",
    # -- sample photos ---------------------------------------------------------------------------------------
    "Chelsea the cat": "小猫切尔西",
    "Coffee cup": "咖啡杯",
    "Astronaut": "宇航员",
    "Camera man (gray)": "摄影师(灰度)",
    "Brick wall (gray)": "砖墙(灰度)",
    "Rocket launch": "火箭发射",
    # -- punctuation used to join parts of a sentence ----------------------------------------------------------
    ", ": ",",
    "; ": ";",
    # -- wording: sum of weights -------------------------------------------------------------------------------
    "**Sum of weights: {total}**": "**权重之和:{total}**",
    "{head} — {what}: a flat grey {grey} comes out as {out}.": (
        "{head} —— {what}:灰度为 {grey} 的平坦区域输出为 {out}。"
    ),
    "an edge finder: flat areas turn black, only changes show": "边缘检测:平坦区域变黑,只显示变化之处",
    "an edge finder: flat areas turn grey {grey}, edges show either side of it": (
        "边缘检测:平坦区域变为灰度 {grey},边缘在其两侧显示"
    ),
    "brightness is kept": "亮度保持不变",
    "negative, so the photo comes out inverted": "为负,所以图像被反相",
    "above 1, so the photo gets brighter": "大于 1,所以图像变亮",
    "between 0 and 1, so the photo gets darker": "介于 0 和 1 之间,所以图像变暗",
    # -- wording: text alternatives ----------------------------------------------------------------------------
    "blue": "蓝色",
    "white": "白色",
    "orange": "橙色",
    ", drawn as absolute values": ",按绝对值绘制",
    ", stretched so the lowest is black and the highest white": ",拉伸为最低值黑色、最高值白色",
    ", drawn {negative} below 0, {zero} at 0, {positive} above": (
        ",小于 0 为{negative},等于 0 为{zero},大于 0 为{positive}"
    ),
    "every value {value}": "所有值均为 {value}",
    "values {low} to {high}": "取值 {low} 至 {high}",
    "original": "原图",
    ", in grey (luminance)": ",灰度(亮度)",
    "{name} filtered with {kernel}, {size}, {values}{how}": "{name} 经 {kernel} 处理,{size},{values}{how}",
    "Colour scale from {negative} at −{limit} through {zero} at 0 to {positive} at +{limit}": (
        "色标:−{limit} 为{negative},0 为{zero},+{limit} 为{positive}"
    ),
    "Colour scale from {zero} at 0 to {positive} at +{limit}": "色标:0 为{zero},+{limit} 为{positive}",
    "Difference between {name} and its {kernel} result, {size}: black where the kernel left the photo alone, "
    "bright where it changed it most; mean {mean} grey levels": (
        "{name} 与其 {kernel} 结果之差,{size}:卷积核未改变之处为黑色,改变最多之处最亮;平均 {mean} 个灰度级"
    ),
    "x {x}, y {y}": "x {x},y {y}",
    "row {row}, column {col}": "第 {row} 行,第 {col} 列",
    "{what} enlarged: {side} × {side} pixels around {where}, {outlined} outlined": (
        "{what}放大:{where} 周围 {side} × {side} 个像素,框出{outlined}"
    ),
    "{text}; its value {value}": "{text};其值为 {value}",
    "{name}, {size}: {task}": "{name},{size}:{task}",
    "{photo} through {kernel}": "{photo} 经 {kernel} 处理",
    "row {row}: {weights}": "第 {row} 行:{weights}",
    "; {rows}": ";{rows}",
    " (too many cells to list)": "(单元格太多,不逐一列出)",
    "Heat map of the kernel{title}, {cols} × {rows} cells, {positive} cells positive, {negative} negative, "
    "{zero} 0; weights from {low} to {high}{cells}.": (
        "卷积核{title}的热力图,{cols} × {rows} 个单元格,{positive}为正,{negative}为负,{zero}为 0;"
        "权重从 {low} 到 {high}{cells}。"
    ),
    "Heat map of the kernel's frequency response, a {kind} filter: |gain| from {low} to {high}, {centre} at the "
    "centre (flat areas), the finest stripes at the edges; brighter (yellow) is a larger gain.": (
        "卷积核频率响应的热力图,一个{kind}滤波器:|增益| 从 {low} 到 {high},中心(平坦区域)为 {centre},"
        "边缘为最细的条纹;越亮(黄色)增益越大。"
    ),
    "Histogram of {total} filter responses from {low} to {high}; the tallest bar, {tallest} values, lies between "
    "{start} and {end}. Dashed lines mark 0 and 255, the range the screen can show.": (
        "{total} 个滤波响应的直方图,从 {low} 到 {high};最高的柱({tallest} 个值)位于 {start} 与 {end} 之间。"
        "虚线标出 0 和 255,即屏幕能显示的范围。"
    ),
    "Weights of {title}, {cols} × {rows}": "{title} 的权重,{cols} × {rows}",
    # -- wording: options summary, border modes and views ------------------------------------------------------
    "constant {value} borders": "常数 {value} 边界",
    "{mode} borders": "{mode}边界",
    "stride {n}": "步幅 {n}",
    "dilation {n}": "膨胀 {n}",
    "flipped": "已翻转(卷积)",
    "gray": "灰度",
    "linear light": "线性光",
    "reflect": "反射",
    "mirror": "镜像",
    "nearest": "最近像素",
    "wrap": "环绕",
    "constant": "常数",
    "valid": "有效区域(不填充)",
    "clip": "截断",
    "abs": "绝对值",
    "rescale": "拉伸",
    "signed": "正负着色",
    # imgkernel.borders.MODE_RULES, shown in the border mode's help
    "mirror image of the border including the edge pixel (d c b a | a b c d | d c b a)": (
        "边界的镜像,含边缘像素 (d c b a | a b c d | d c b a)"
    ),
    "mirror image of the border without repeating the edge pixel (d c b | a b c d | c b a)": (
        "边界的镜像,不重复边缘像素 (d c b | a b c d | c b a)"
    ),
    "the nearest edge pixel repeated (a a a | a b c d | d d d)": "重复最近的边缘像素 (a a a | a b c d | d d d)",
    "the opposite side of the image (a b c d | a b c d | a b c d)": "图像的另一侧 (a b c d | a b c d | a b c d)",
    "a constant value (cval) outside the image": "图像之外为一个常数值",
    "no padding: only positions where the whole kernel fits inside the image are computed": (
        "不填充:只计算整个卷积核都落在图像内的位置"
    ),
    # -- playground page ---------------------------------------------------------------------------------------
    "#### Image kernel playground": "#### 图像卷积核游乐场",
    "Something went wrong while drawing this page. Your photo and kernel are kept; "
    "try another setting or reload the page.": "绘制本页时出错了。你的图片和卷积核都已保留;请换一个设置或刷新页面。",
    # photo box
    "Photo": "图片",
    "Sample photo": "示例图片",
    "…or drop your own (up to {limit} MB)": "……或拖入你自己的图片(最大 {limit} MB)",
    "Use the camera": "使用摄像头",
    "The browser asks for the camera only when this is on.": "只有打开此项时,浏览器才会请求使用摄像头。",
    "Take a photo": "拍照",
    "In use: **{photo}** · {size}": "当前:**{photo}** · {size}",
    # options
    "Options": "选项",
    "In use: {options}.": "当前:{options}。",
    "Border mode": "边界模式",
    "What the kernel sees beyond the photo's edge.": "卷积核在图像边缘之外看到的内容。",
    "Constant value": "常数值",
    "The grey level used beyond the edge.": "边缘之外使用的灰度值。",
    "Stride": "步幅",
    "Keep every n-th output pixel (CNN stride): the result shrinks.": (
        "每隔 n 个像素保留一个输出像素(CNN 的步幅):结果会缩小。"
    ),
    "Dilation": "膨胀(空洞)",
    "Spread the taps apart (n-1 skipped pixels between them), as in dilated CNN layers.": (
        "把卷积核的采样点拉开(中间跳过 n-1 个像素),如同 CNN 中的空洞卷积。"
    ),
    "True convolution (flip the kernel)": "真卷积(翻转卷积核)",
    "Off: correlation, as GIMP, OpenCV and CNNs compute. On: the kernel is rotated 180°.": (
        "关闭:相关运算,与 GIMP、OpenCV 和 CNN 的算法相同。打开:卷积核旋转 180°。"
    ),
    "Grayscale (filter the luminance)": "灰度(对亮度滤波)",
    "Off: each RGB channel is filtered on its own.": "关闭:RGB 每个通道分别滤波。",
    "Linear light (as GIMP 2.10)": "线性光(同 GIMP 2.10)",
    "A photo's values are sRGB codes: 128 is about 22 % of full light, not half. On: the codes are decoded to "
    "light, filtered (divisor and offset too) and encoded back, as GIMP 2.10+ does: blurs no longer darken edges, "
    "and an offset of 127.5 is half of full light (code 188). Off: the codes are filtered, as setosa, Photoshop, "
    "GIMP 2.8 and OpenCV do.": (
        "图片的像素值是 sRGB 编码:128 约为满亮度的 22 %,而不是一半。打开:先把编码解码为光强,再滤波"
        "(包括除数和偏移),然后重新编码,与 GIMP 2.10+ 相同:模糊不再使边缘变暗,偏移 127.5 即满亮度的一半"
        "(编码 188)。关闭:直接对编码滤波,与 setosa、Photoshop、GIMP 2.8 和 OpenCV 相同。"
    ),
    "Out-of-range values": "超出范围的值",
    "Values below 0 show black, above 255 white (and are counted as clipped).": (
        "小于 0 显示为黑色,大于 255 显示为白色(并计为被截断)。"
    ),
    "Negative responses count as positive: edge strength whatever its direction.": (
        "负响应按正值计:不论方向,只看边缘强度。"
    ),
    "The darkest value becomes black and the brightest white: nothing is clipped.": (
        "最暗的值变黑,最亮的值变白:不截断任何值。"
    ),
    "Blue below 0, white at 0, orange above: see where the kernel responds negatively.": (
        "小于 0 为蓝色,等于 0 为白色,大于 0 为橙色:看出卷积核在哪里产生负响应。"
    ),
    "Preview size (long side, px)": "预览尺寸(长边,px)",
    "Big photos are shown at this size; downloads are always full size.": "大图按此尺寸显示;下载的始终是原尺寸。",
    "Reset kernel and options": "重置卷积核和选项",
    "Back to the default kernel and options; the photo stays.": "恢复默认的卷积核和选项;图片保留。",
    # kernel picker
    "Kernel": "卷积核",
    "Custom · your own grid": "自定义 · 你自己的权重",
    "Presets grouped by what they do. Editing a cell of the grid turns the kernel into Custom.": (
        "预设按作用分组。修改权重表中的任一单元格,卷积核即变为自定义。"
    ),
    "Your own weights: edit any cell, resize the grid, or load a kernel file.": (
        "你自己的权重:可编辑任一单元格、改变表格大小,或载入卷积核文件。"
    ),
    "Back to {kernel}": "回到{kernel}",
    "Drop your edits and use {kernel} with its sliders again.": "放弃你的修改,重新使用{kernel}及其滑块。",
    "How {kernel} works": "{kernel}的原理",
    "Custom (from {kernel})": "自定义(来自{kernel})",
    "Custom": "自定义",
    # pictures and the result line
    "Original": "原图",
    "Original (luminance)": "原图(亮度)",
    "{legend} (channel mean)": "{legend}(各通道平均)",
    "Result: {kernel} · {size} · values {low} to {high} · {shown} · {where}": (
        "结果:{kernel} · {size} · 取值 {low} 至 {high} · {shown} · {where}"
    ),
    "{count} pixels clipped ({share})": "{count} 个像素被截断({share})",
    "view {view}": "显示方式:{view}",
    "preview of a {size} photo": "{size} 图片的预览",
    "full size": "原尺寸",
    # grid and scale
    "weight, row {row}, column {col}": "权重,第 {row} 行,第 {col} 列",
    "Your guess, {cols} × {rows}": "你的猜测,{cols} × {rows}",
    " or ": " 或 ",
    "Drag sideways to change the value": "左右拖动以改变数值",
    "↶ Undo": "↶ 撤销",
    "↷ Redo": "↷ 重做",
    "Undo the last change of kernel, weights or options (Ctrl+Z, ⌘Z on a Mac).": (
        "撤销对卷积核、权重或选项的最近一次更改(Ctrl+Z,Mac 上为 ⌘Z)。"
    ),
    "Redo what was undone (Ctrl+Shift+Z, ⌘⇧Z on a Mac).": "重做刚才撤销的操作(Ctrl+Shift+Z,Mac 上为 ⌘⇧Z)。",
    "Rows": "行数",
    "Columns": "列数",
    "Resizing keeps the weights around the centre cell and fills new cells with 0.": (
        "改变大小时保留中心单元格周围的权重,新单元格填 0。"
    ),
    "Whole numbers (like Photoshop)": "整数(同 Photoshop)",
    "Weights, divisor and offset as whole numbers, as in Photoshop's Custom filter dialog. Turning it on writes a "
    "kernel of fractions as the same filter in whole numbers (1/16, 2/16 … become 1, 2 … ÷ 16).": (
        "权重、除数和偏移都用整数,与 Photoshop 的“自定”滤镜对话框相同。打开时,含分数的卷积核会改写为等效的"
        "整数滤镜(1/16、2/16 … 变为 1、2 … ÷ 16)。"
    ),
    "Normalise": "归一化",
    "GIMP's auto-normalise: divide by the sum (or mid-grey offset when it is 0).": (
        "GIMP 的自动归一化:除以权重之和(和为 0 时改用中灰偏移)。"
    ),
    "Mean": "取平均",
    "Divide by the number of cells (the original package's option).": "除以单元格个数(原始软件包的选项)。",
    "Normalise uses divisor {divisor} and offset {offset}.": "归一化使用除数 {divisor} 和偏移 {offset}。",
    "Divisor": "除数",
    "Each response is divided by this.": "每个响应都除以此数。",
    "Offset": "偏移",
    "Added after dividing, in grey levels 0..255 (127.5 = mid-grey).": (
        "除完之后加上,单位为灰度级 0..255(127.5 = 中灰)。"
    ),
    # details: difference, zoom, histogram, export and share
    "More": "更多",
    "Difference": "差异",
    "Zoom": "放大镜",
    "Histogram": "直方图",
    "Export and share": "导出和分享",
    "The result's size differs from the original's (stride {stride}, border mode {mode}): there is no "
    "pixel-by-pixel difference. The loupe shows the two side by side.": (
        "结果与原图尺寸不同(步幅 {stride},边界模式 {mode}):无法逐像素求差。放大镜可把两者并排显示。"
    ),
    "|filtered − original|": "|结果 − 原图|",
    "Mean difference **{mean}** grey levels per channel. Bright where the kernel changed the photo most, "
    "black where it left it alone.": "每个通道平均相差 **{mean}** 个灰度级。卷积核改变最多之处最亮,未改变之处为黑色。",
    "**Click where to look** (or type the spot)": "**点击要查看的位置**(或输入坐标)",
    "click where to look; the two enlargements beside show that spot": "点击要查看的位置;旁边的两幅放大图显示该处",
    "Original around x {x}, y {y}; the box is the kernel's window": "原图 x {x}、y {y} 附近;方框是卷积核的窗口",
    "the kernel's {cols} × {rows} window": "卷积核的 {cols} × {rows} 窗口",
    "Result pixel x {x}, y {y} (outlined)": "结果像素 x {x}、y {y}(已框出)",
    "Result": "结果",
    "Result (signed colours)": "结果(正负着色)",
    "that pixel": "该像素",
    "Filter responses after divisor and offset (all channels). Between the grey lines, 0 and 255, is what the "
    "screen can show; the rest is mapped by the out-of-range choice.": (
        "经除数和偏移后的滤波响应(所有通道)。两条灰线 0 和 255 之间是屏幕能显示的范围;其余按“超出范围的值”的选择映射。"
    ),
    "response (grey levels)": "响应(灰度级)",
    "count": "个数",
    "Prepare full-resolution PNG ({size})": "生成原尺寸 PNG({size})",
    "Preparing the full-resolution PNG ({size})…": "正在准备原尺寸 PNG({size})……",
    "Filtering and encoding {size}: {percent}": "正在滤波并编码 {size}:{percent}",
    "Filtering and encoding {size}…": "正在滤波并编码 {size}……",
    "Ready: {mb} MB": "完成:{mb} MB",
    "Opening {name}…": "正在打开 {name}……",
    "Yours starts as soon as there is room (changing the kernel or options cancels it).": (
        "一有空间就开始你的任务(更改卷积核或选项会取消它)。"
    ),
    "The screen shows a preview": "屏幕上显示的是预览",
    "Download PNG ({size}, {mb} MB)": "下载 PNG({size},{mb} MB)",
    "Download kernel JSON": "下载卷积核 JSON",
    "Load a kernel file (JSON, or a Photoshop Custom filter .acf)": "载入卷积核文件(JSON,或 Photoshop 自定滤镜 .acf)",
    "No Photoshop .acf for this kernel: {reason}": "此卷积核无法导出为 Photoshop .acf:{reason}",
    "Download Photoshop Custom filter (.acf)": "下载 Photoshop 自定滤镜(.acf)",
    "Show the kernel JSON": "显示卷积核 JSON",
    "**Share link** (kernel, options and sample photo; uploads stay on your device)": (
        "**分享链接**(卷积核、选项和示例图片;上传的图片只留在你的设备上)"
    ),
    "This grid is too big for a link, which keeps only the options and the photo: share the kernel JSON file "
    "for the weights.": "此权重表太大,链接只保留选项和图片:请分享卷积核 JSON 文件来传递权重。",
    # -- pixel walkthrough page (pages/walkthrough.py, app/walkthrough_view.py) ---------------------------------
    "How is this output pixel computed?": "这个输出像素是怎样算出来的?",
    "Photo: **{photo}** · kernel: **{kernel}** · border **{mode}**, stride {stride}, dilation {dilation}"
    "{flipped}. Change them in the Playground.": (
        "图片:**{photo}** · 卷积核:**{kernel}** · 边界模式 **{mode}**,步幅 {stride},膨胀 {dilation}"
        "{flipped}。可在卷积核游乐场中更改。"
    ),
    ", true convolution": ",真卷积",
    " Working on the {size} preview of the {full} photo.": "当前使用 {full} 图片的 {size} 预览图。",
    "The output pixel equals the one in the Playground's filtered image at the same position.": (
        "这个输出像素与卷积核游乐场中处理结果同一位置的像素相同。"
    ),
    "Red": "红",
    "Green": "绿",
    "Blue": "蓝",
    "Gray": "灰度",
    "Channel": "通道",
    "row {r}": "第 {r} 行",
    "col {c}": "第 {c} 列",
    "dy {d}": "行偏移 {d}",
    "dx {d}": "列偏移 {d}",
    "Shaded cells lie outside the photo: their values are padding from the '{mode}' border mode. ": (
        "带阴影的单元格位于图片之外:它们的值是“{mode}”边界模式的填充。"
    ),
    "Their labels show the position outside the photo that is being read (e.g. row -1 is the row above row 0).": (
        "它们的标签显示读取的是图片外的哪个位置(例如第 -1 行是第 0 行上面的一行)。"
    ),
    "Dilation {dilation}: the taps read every {dilation}th pixel, so the rows and columns above skip pixels.": (
        "膨胀 {dilation}:每隔 {dilation} 个像素读取一次,所以上面的行和列会跳过像素。"
    ),
    "{name}: {terms} = **{total}** (zero weights left out)": "{name}:{terms} = **{total}**(省略了为零的权重)",
    "values below 0 become 0, above 255 become 255": "小于 0 的值变为 0,大于 255 的值变为 255",
    "the absolute value, clipped at 255": "取绝对值,超过 255 截断为 255",
    "stretched from the image's {low}..{high} to 0..255": "从图像的 {low}..{high} 拉伸到 0..255",
    "**4 · Sum → ÷ {divisor} + {offset} → 8 bits** ({normalised}{mean}out of range: {mapping})": (
        "**4 · 总和 → ÷ {divisor} + {offset} → 8 位**({normalised}{mean}超出范围:{mapping})"
    ),
    "auto-normalised, ": "自动归一化,",
    "mean of the cells, ": "取单元格均值,",
    "sum of products": "乘积之和",
    "output pixel": "输出像素",
    "**Click a pixel of the input photo**": "**点击输入图片中的一个像素**",
    "click a pixel to see how its output is computed, or type its row and column": (
        "点击一个像素,查看它的输出是怎样算出来的,或输入它的行和列"
    ),
    "**…or type output coordinates** (the output is {size})": "**……或输入输出坐标**(输出为 {size})",
    "Output row": "输出行",
    "Output column": "输出列",
    "Input around row {row}, column {col}: the kernel's window": "输入图片第 {row} 行、第 {col} 列附近:卷积核的窗口",
    "Input": "输入",
    "the {w} × {h} window the kernel reads": "卷积核读取的 {w} × {h} 窗口",
    "Output around row {row}, column {col}": "输出图片第 {row} 行、第 {col} 列附近",
    "Output": "输出",
    "the output pixel": "该输出像素",
    "**1 · Neighbourhood** (input values)": "**1 · 邻域**(输入值)",
    "**2 · Kernel**": "**2 · 卷积核**",
    " rotated 180° (true convolution)": "旋转 180°(真卷积)",
    "**3 · Products** (value × weight)": "**3 · 乘积**(值 × 权重)",
    # -- gallery page (pages/gallery.py) -------------------------------------------------------------------------
    "Filtering…": "正在处理……",
    "Filtering… {kernel}": "正在处理……{kernel}",
    "Open in playground": "在游乐场中打开",
    "**{photo}** through every kernel of the catalogue at its default settings and suggested "
    "divisor/offset. Pick one to open it in the Playground.": (
        "**{photo}** 经过目录中每个卷积核的处理(默认设置和建议的除数/偏移)。选一个在卷积核游乐场中打开。"
    ),
    "All kernels": "全部卷积核",
    "Category": "类别",
    "Values outside 0..255": "超出 0..255 的值",
    "clip: negatives become black (as setosa.io shows); abs: edge strength whatever its sign; "
    "rescale: the actual min..max stretched to 0..255.": (
        "截断:负值变黑(与 setosa 网站的显示一样);绝对值:不论正负的边缘强度;拉伸:把实际的最小值..最大值拉伸到 0..255。"
    ),
    "The four Sobels side by side": "四个索贝尔并排对比",
    "Each finds the edges of one direction: top lights up where it is brighter above than below, "
    "bottom the opposite, and so on. With 'clip', each shows only its own side of every edge (the "
    "other side is negative and turns black); 'abs' shows both, so top and bottom then look alike.": (
        "每个索贝尔卷积核只找一个方向的边缘:“上”在上方比下方亮的地方发亮,“下”正好相反,以此类推。"
        "用“截断”时,每个只显示边缘属于自己的那一侧(另一侧为负值,变成黑色);"
        "“绝对值”两侧都显示,所以“上”和“下”看起来一样。"
    ),
    "{what} is now the current kernel; open the Playground to edit it.": (
        "{what} 现在是当前的卷积核;打开卷积核游乐场即可编辑。"
    ),
    # -- CNN layer page (pages/cnn_layer.py, app/cnn_view.py) ----------------------------------------------------
    "A convolutional layer, made of image kernels": "由图像卷积核组成的卷积层",
    "A CNN's first layer is a bank of kernels like the ones in the catalogue, applied exactly as here "
    "(correlation, no kernel rotation); a trained network learns the weights instead of taking presets.": (
        "CNN 的第一层就是一组卷积核,和目录中的卷积核一样,运算方式也和这里完全相同(相关,不旋转卷积核);"
        "训练好的网络通过学习得到权重,而不是使用预设。"
    ),
    "How this layer computes": "这一层是怎样计算的",
    "* **Convolution**: each kernel slides over the input (cross-correlation, as in PyTorch's `Conv2d`); "
    "the input is padded with zeros: *valid* = none, *same* = what TensorFlow/Keras, JAX, ONNX (SAME_UPPER) "
    "and PyTorch call same: enough to keep ceil(n / s) pixels, split in two with any odd extra pixel after "
    "(bottom, right), *full* = d(k−1) per side (every position where kernel and input overlap).\n"
    "* **RGB input**: a filter has one kernel per input channel; here all three are the same 2-D kernel, and "
    "the three responses are summed into one map (gray input: one channel, the luminance).\n"
    "* **Bias** is added to every value of a map, then **ReLU** sets negatives to 0.\n"
    "* **Pooling** keeps the maximum (or mean) of each window: the map shrinks, the strongest responses stay.\n"
    "* **Output size** per side: `floor((n + p₁ + p₂ − d(k−1) − 1) / s) + 1`, with p₁ zeros before "
    "(top, left) and p₂ after (bottom, right); pooling is the same with no padding and d = 1.": (
        "* **卷积**:每个卷积核在输入上滑动(互相关,与 PyTorch 的 `Conv2d` 相同);输入用零填充:"
        "*有效区域* = 不填充,*同尺寸* = TensorFlow/Keras、JAX、ONNX(SAME_UPPER)和 PyTorch 所说的“同尺寸”:"
        "填充到刚好保留 ceil(n / s) 个像素,分成两半,奇数多出的一个像素放在后面(下、右),"
        "*完全* = 每边 d(k−1)(卷积核与输入重叠的每个位置)。\n"
        "* **彩色输入**:一个滤波器对每个输入通道有一个卷积核;这里三个通道用同一个二维卷积核,"
        "三个响应相加成一张图(灰度输入:一个通道,即亮度)。\n"
        "* **偏置**加到图中的每个值上,然后 **ReLU** 把负值变为 0。\n"
        "* **池化**保留每个窗口的最大值(或平均值):特征图变小,最强的响应留下。\n"
        "* 每边的**输出尺寸**:`floor((n + p₁ + p₂ − d(k−1) − 1) / s) + 1`,p₁ 是前面(上、左)补的零,"
        "p₂ 是后面(下、右)补的零;池化同理,但不填充且 d = 1。"
    ),
    "Layer": "卷积层",
    "Input size (long side, pixels)": "输入尺寸(长边,像素)",
    "Input channels": "输入通道",
    "Gray (1 channel)": "灰度(1 个通道)",
    "RGB (3 channels)": "彩色(3 个通道)",
    "RGB: each filter holds the same 2-D kernel for all three channels and sums the three "
    "responses, as a CNN filter of depth 3 does.": (
        "彩色:每个滤波器对三个通道使用同一个二维卷积核,并把三个响应相加,与深度为 3 的 CNN 滤波器一样。"
    ),
    "Kernels (presets)": "卷积核(预设)",
    "Add a Gabor bank (4 orientations)": "加入一组 Gabor 卷积核(4 个方向)",
    "Random kernels (untrained layer)": "随机卷积核(未训练的层)",
    "Random kernel size": "随机卷积核尺寸",
    "Random seed": "随机种子",
    "Padding": "填充",
    "Bias (added to every map)": "偏置(加到每张特征图上)",
    "ReLU (negatives become 0)": "ReLU(负值变为 0)",
    "Pooling": "池化",
    "Pool size": "池化窗口大小",
    "Pool stride": "池化步幅",
    "Second layer: combine the maps": "第二层:组合特征图",
    "Each second-layer map is a weighted sum of all first-layer maps (a 1 × 1 "
    "convolution with random, seeded weights), then ReLU.": (
        "第二层的每张特征图是第一层所有特征图的加权和(权重随机、由种子决定的 1 × 1 卷积),然后经过 ReLU。"
    ),
    "Pick at least one kernel (or add random ones) to build the layer.": (
        "至少选一个卷积核(或加入随机卷积核)来构建这一层。"
    ),
    "{photo}, {channels}": "{photo},{channels}",
    "Input · {size} · {channels}": "输入 · {size} · {channels}",
    "the layer's input, {channels}": "这一层的输入,{channels}",
    "**Output size at each step:** `floor((n + p₁ + p₂ − d(k−1) − 1) / s) + 1`, for the height (H) and the "
    "width (W); p₁ and p₂ are the zeros added before and after": (
        "**每一步的输出尺寸:**`floor((n + p₁ + p₂ − d(k−1) − 1) / s) + 1`,分别用于高(H)和宽(W);p₁ 和 p₂ 是前后补的零"
    ),
    "step": "步骤",
    "shape (C × H × W)": "形状(C × H × W)",
    "each map": "每张特征图",
    "how": "计算",
    "input": "输入",
    "conv, {n} kernels of {size}": "卷积,{n} 个 {size} 卷积核",
    "{negatives} of {total} values were negative and became 0 ({share})": (
        "{total} 个值中有 {negatives} 个为负,变为 0({share})"
    ),
    "{pool} pool {size} × {size}, stride {stride}": "{pool}池化 {size} × {size},步幅 {stride}",
    "Shapes are channels × height × width (C × H × W), the order PyTorch uses; a map's size is "
    "written width × height like a photo's.": (
        "形状按通道 × 高 × 宽(C × H × W)书写,与 PyTorch 的顺序相同;特征图的尺寸和图片一样写作宽 × 高。"
    ),
    "'same' padding follows TensorFlow/Keras, JAX, ONNX (SAME_UPPER) and PyTorch: each output side keeps "
    "ceil(n / s) pixels, and when the padding needed is odd the extra pixel goes after the image (bottom, right).": (
        "“同尺寸”填充遵循 TensorFlow/Keras、JAX、ONNX(SAME_UPPER)和 PyTorch:每条输出边保留 ceil(n / s) 个像素,"
        "需要的填充为奇数时,多出的一个像素放在图像后面(下、右)。"
    ),
    "same": "同尺寸",
    "full": "完全",
    "none": "无",
    "max": "最大值",
    "average": "平均值",
    "Random #{n}": "随机 #{n}",
    "{n} pixel": "{n} 个像素",
    "{n} pixels": "{n} 个像素",
    "Padding '{padding}': no zeros are added.": "填充“{padding}”:不补零。",
    "Padding '{padding}' adds zeros: {top} above and {bottom} below, {left} left and {right} right.": (
        "填充“{padding}”补零:上面 {top},下面 {bottom},左边 {left},右边 {right}。"
    ),
    "Kernels of different sizes are zero-padded to {size} around their centre: "
    "a layer has one kernel size.": "不同尺寸的卷积核围绕中心补零到 {size}:一层只有一种卷积核尺寸。",
    "Feature maps ({n})": "特征图({n})",
    "Before ReLU each edge kernel answers both sides of an edge ({positive} one side, {negative} the other); "
    "ReLU keeps only the positive side, which is why a CNN needs both 'top' and 'bottom' kernels.": (
        "在 ReLU 之前,每个边缘卷积核对边缘的两侧都有响应(一侧{positive},另一侧{negative});"
        "ReLU 只保留正的一侧,所以 CNN 既需要“上”也需要“下”卷积核。"
    ),
    "The maps before ReLU (and before pooling)": "ReLU 之前(以及池化之前)的特征图",
    "Zero padding makes the photo's own border look like an edge: CNNs see that too.": (
        "零填充让图片自身的边界看起来像一条边缘:CNN 也会看到它。"
    ),
    "Second layer: features combining": "第二层:特征的组合",
    "map {n}": "特征图 {n}",
    "Each row gives the weights of one second-layer map over the first-layer maps: positive weights add "
    "a feature, negative ones suppress it, so a second-layer map lights up where a *combination* of "
    "edges occurs (corners, crossings, textures).": (
        "每一行是第二层一张特征图对第一层各特征图的权重:正权重加入一个特征,负权重抑制它,"
        "所以第二层特征图在出现边缘*组合*(角点、交叉、纹理)的地方发亮。"
    ),
    "Second-layer": "第二层特征图:",
    "Feature map of": "特征图:",
    "{kind} {title}": "{kind}{title}",
    "**{colour}**: the input looks like the kernel there (positive response). ": (
        "**{colour}**:输入在这里像卷积核(正响应)。"
    ),
    "**{colour}**: it looks like the kernel's opposite (negative). ": "**{colour}**:输入像卷积核的反面(负响应)。",
    "**{colour}**: no response (0). Values beyond {limit} (the 99.5th percentile of |value| over these "
    "maps) show at full colour.": (
        "**{colour}**:没有响应(0)。超过 {limit}(这些特征图 |值| 的第 99.5 百分位数)的值以最饱和的颜色显示。"
    ),
    " After ReLU nothing is negative, so there is no {colour}.": "ReLU 之后没有负值,所以没有{colour}。",
    # -- kernel lab page (pages/kernel_lab.py, app/lab_view.py, app/learn.py) ------------------------------------
    "What a kernel's numbers tell you before you run it. Kernels are applied by correlation, "
    "anchored at the centre, as everywhere in this app.": (
        "运行之前,卷积核的数字就能告诉你什么。和本应用的其他地方一样,卷积核以相关的方式应用,锚点在中心。"
    ),
    "Current kernel ({kernel})": "当前卷积核({kernel})",
    "Composition: two kernels in one": "组合:两个卷积核合二为一",
    "Filtering with **A** and then with **B** is the same as filtering once with the *full 2-D convolution* "
    "**A ∗ B**: for A of wa × ha and B of wb × hb cells (width × height) it is (wa + wb − 1) × (ha + hb − 1). "
    "For correlation too: correlating with a kernel is convolving with it rotated 180°, and rotating A ∗ B gives "
    "rot A ∗ rot B, so the rotations cancel. "
    "The order does not matter either: a blur then an edge finder equals the edge finder then the blur.": (
        "先用 **A** 再用 **B** 滤波,等于用*完整二维卷积* **A ∗ B** 滤波一次:A 为 m₁ × n₁ 个单元格、"
        "B 为 m₂ × n₂ 个单元格(宽 × 高)时,它的大小是 (m₁ + m₂ − 1) × (n₁ + n₂ − 1)。"
        "对相关也成立:与一个卷积核做相关,就是与它旋转 180° 后的卷积核做卷积,而把 A ∗ B 旋转等于"
        "旋转后的 A ∗ 旋转后的 B,所以两次旋转相互抵消。"
        "顺序也无关紧要:先模糊再找边缘,等于先找边缘再模糊。"
    ),
    "First kernel A": "第一个卷积核 A",
    "Then kernel B": "然后是卷积核 B",
    "The combined kernel is larger than the photo used here; pick smaller kernels.": (
        "组合后的卷积核比这里使用的图片还大;请选择更小的卷积核。"
    ),
    "keeps smooth areas and removes fine detail and noise (it blurs)": "保留平滑区域,去除细节和噪声(模糊)",
    "removes smooth areas and keeps edges and fine detail": "去除平滑区域,保留边缘和细节",
    "keeps smooth areas and amplifies edges and fine detail (it sharpens)": "保留平滑区域,增强边缘和细节(锐化)",
    "responds to one range of stripe spacings (textures), ignoring flat areas and the finest detail": (
        "只对某一范围的条纹间距(纹理)有响应,忽略平坦区域和最细的细节"
    ),
    "treats every frequency about equally": "对所有频率大致一视同仁",
    "has no simple low/high-pass shape": "不是简单的低通或高通形状",
    "low-pass": "低通",
    "high-pass": "高通",
    "high-boost": "高频增强",
    "band-pass": "带通",
    "all-pass": "全通",
    "mixed": "混合",
    "left-right": "左右对称",
    "up-down": "上下对称",
    "180-degree": "旋转 180° 不变",
    "90-degree": "旋转 90° 不变",
    "transpose": "沿对角线对称(转置不变)",
    "anti-symmetric (180)": "反对称(旋转 180° 变为相反数)",
    "The weights add up to 0: flat areas give 0, only changes show.": "权重之和为 0:平坦区域得到 0,只显示变化之处。",
    "The weights add up to 1: flat areas keep their brightness.": "权重之和为 1:平坦区域保持原有亮度。",
    "Flat areas are multiplied by {gain}; the divisor (or 'normalise') can undo that.": (
        "平坦区域被乘以 {gain};除数(或“归一化”)可以抵消这一点。"
    ),
    "Separable: the kernel is a column times a row, so it can be applied as two 1-D passes "
    "({cols} + {rows} multiplications per pixel instead of {cells}).": (
        "可分离:卷积核等于一列乘以一行,所以可以分成两次一维运算(每个像素 {cols} + {rows} 次乘法,而不是 {cells} 次)。"
    ),
    "symmetric?": "对称?",
    "yes": "是",
    "no": "否",
    "**Frequency response: {kind}** — it {does}.": "**频率响应:{kind}** —— 它{does}。",
    "horizontal frequency (cycles/pixel)": "水平频率(周期/像素)",
    "vertical frequency": "垂直频率",
    "|gain|": "|增益|",
    "horizontal": "水平",
    "vertical": "垂直",
    "With 'wrap' the photo is treated as periodic, so there is no border at all: the two agree "
    "everywhere up to float32 rounding.": (
        "用“环绕”时图片被当作周期性的,所以根本没有边界:两者处处一致,只差 32 位浮点数的舍入误差。"
    ),
    "With '{mode}' the second pass pads the *first pass's result*, not the photo, so pixels within "
    "half the combined kernel of the border ({rows} rows, {cols} columns) can differ; the interior "
    "agrees up to float32 rounding.": (
        "用“{mode}”时,第二次运算填充的是*第一次运算的结果*而不是图片,所以离边界不到组合卷积核一半"
        "({rows} 行,{cols} 列)的像素可能不同;内部一致,只差 32 位浮点数的舍入误差。"
    ),
    "Sum of weights (DC gain)": "权重之和(直流增益)",
    "How a flat area's brightness is multiplied: 1 keeps it, 0 turns it black (edge finders).": (
        "平坦区域的亮度被乘以多少:1 保持不变,0 变黑(边缘检测)。"
    ),
    "Rank": "秩",
    "1 = separable; otherwise the least number of separable kernels it sums.": (
        "1 = 可分离;否则为相加得到它所需的可分离卷积核的最少个数。"
    ),
    "column factor": "列因子",
    "row factor": "行因子",
    "Not separable (rank {rank}): no column × row gives this kernel.": (
        "不可分离(秩 {rank}):没有哪个列 × 行能得到这个卷积核。"
    ),
    "**Symmetry**": "**对称性**",
    "Magnitude of the kernel's 2-D Fourier transform (zero-padded to {n} × {n}): the centre is a flat "
    "area (its value is |sum of weights|), the edges are the finest stripes a photo can hold (0.5 cycles "
    "per pixel). Bright centre = low-pass.": (
        "卷积核二维傅里叶变换的幅值(补零到 {n} × {n}):中心对应平坦区域(其值为 |权重之和|),"
        "边缘对应图片能容纳的最细条纹(每像素 0.5 个周期)。中心亮 = 低通。"
    ),
    "The photo in grey filtered with {a}, then with {b}": "灰度图片先经 {a} 处理,再经 {b} 处理",
    "The photo in grey filtered once with {a} ∗ {b}": "灰度图片经 {a} ∗ {b} 处理一次",
    "The difference of the two": "两者之差",
    "A, then B": "先 A 后 B",
    "A ∗ B once": "A ∗ B 一次",
    "difference (full colour at ±{limit})": "差值(±{limit} 时颜色最饱和)",
    "Largest difference, whole image": "最大差值,整张图像",
    "Largest difference, away from the border": "最大差值,远离边界处",
    "A ∗ B is too big for the playground (at most {n} × {n} cells).": (
        "A ∗ B 对卷积核游乐场来说太大了(最多 {n} × {n} 个单元格)。"
    ),
    "Open A ∗ B in the playground": "在游乐场中打开 A ∗ B",
    "The playground then filters with “{name}” as a custom kernel (editable in its grid); its "
    "divisor and offset stay as they are.": (
        "之后卷积核游乐场用“{name}”作为自定义卷积核来滤波(可在权重表中编辑);除数和偏移保持不变。"
    ),
    "row": "行",
    "column": "列",
    "weight": "权重",
    # -- sliding window page (pages/sliding_window.py, app/sweep_view.py) --------------------------------------
    "The sliding window": "滑动窗口",
    "A filter is one small window sliding over the picture: at every stop it multiplies the cells under it by "
    "the weights and writes their sum into one output cell. Step through it, drag the slider, or play the whole "
    "sweep.": (
        "滤波就是一个小窗口在图片上滑动:每停一处,就把窗口下的单元格乘以权重,再把它们的和写进一个输出单元格。"
        "可以一步一步看、拖动滑块,或者播放整个过程。"
    ),
    "Show": "显示",
    "Convolution: the window slides": "卷积:窗口滑动",
    "Transposed convolution: upsampling": "转置卷积:上采样",
    "The photo, shrunk": "缩小的图片",
    "A gradient": "渐变",
    "One bright pixel": "一个亮像素",
    "The playground's photo, shrunk, or a test input.": "卷积核游乐场的图片(缩小后),或一个测试输入。",
    "Input size (cells per side)": "输入尺寸(每边单元格数)",
    "{kernel} is {size}: this page draws kernels up to {most} × {most}. Pick a smaller one.": (
        "{kernel} 的尺寸是 {size}:本页最多只能绘制 {most} × {most} 的卷积核。请选一个更小的。"
    ),
    "Padding p (cropped off each side)": "填充 p(每边裁掉的单元格)",
    "Output padding": "输出填充",
    "Less than the stride.": "小于步幅。",
    "What the window reads outside.": "窗口在图像之外读取什么。",
    "Constant (cval)": "常数值",
    "Input cell": "输入单元格",
    "Output position": "输出位置",
    "input cell (row {row}, column {col}) = {value} scatters its value × the kernel": (
        "输入单元格(第 {row} 行,第 {col} 列)= {value},把它的值 × 卷积核散布出去"
    ),
    "every input cell has scattered its value × the kernel": "每个输入单元格都已把它的值 × 卷积核散布出去",
    "the window computes output (row {row}, column {col}) = {value}": "窗口计算输出(第 {row} 行,第 {col} 列)= {value}",
    "the output is complete": "输出已完成",
    "Step {i} of {n} · {now}": "第 {i} 步,共 {n} 步 · {now}",
    "**Output size per side** (rows: n = {h}, k = {kh}; columns: n = {w}, k = {kw}):\n\n"
    "* rows: {rows}\n"
    "* columns: {cols}": ("**每边的输出尺寸**(行:n = {h},k = {kh};列:n = {w},k = {kw}):\n\n* 行:{rows}\n* 列:{cols}"),
    "Each input cell stamps the kernel, multiplied by its value, into the output; the stamps start "
    "{apart} apart (stride {stride} leaves {empty} between input cells) and add up where they "
    "overlap. Padding p crops p cells off each side of that result (hatched); output padding adds cells "
    "at the bottom and right. This is the transpose of a strided convolution: it maps the small output "
    "back to the large input's size (PyTorch `ConvTranspose2d`, ONNX `ConvTranspose`; no kernel "
    "rotation).": (
        "每个输入单元格把卷积核乘以自己的值,盖印到输出中;印章之间相隔 {apart}(步幅 {stride} 在输入单元格之间"
        "留出 {empty}),重叠处相加。填充 p 从结果的每边裁掉 p 个单元格(画斜线的部分);输出填充在下边和右边"
        "增加单元格。这是带步幅卷积的转置:它把小的输出映射回大的输入尺寸"
        "(PyTorch 的 `ConvTranspose2d`、ONNX 的 `ConvTranspose`;不旋转卷积核)。"
    ),
    "{n} cell": "{n} 个单元格",
    "{n} cells": "{n} 个单元格",
    "{n} empty cell": "{n} 个空单元格",
    "{n} empty cells": "{n} 个空单元格",
    "**Input cell (row {row}, column {col}): value × kernel**": "**输入单元格(第 {row} 行,第 {col} 列):值 × 卷积核**",
    "**Output (row {row}, column {col}): each value under the window × its weight**": (
        "**输出(第 {row} 行,第 {col} 列):窗口下的每个值 × 对应的权重**"
    ),
    "Sum of the products = **{total}**": "乘积之和 = **{total}**",
    "Play": "播放",
    "the animation loops over every step": "动画循环播放每一步",
    "Input, padded": "输入(已填充)",
    "Input (valid: no padding)": "输入(有效区域:不填充)",
    "Output before the crop": "裁剪前的输出",
    "The sweep has {n} frames; an animation holds at most {most}: use a smaller input.": (
        "整个过程有 {n} 帧;动画最多容纳 {most} 帧:请使用更小的输入。"
    ),
    "A frame would be {w} × {h} px; an animation holds at most {most} pixels per frame.": (
        "一帧将是 {w} × {h} px;动画每帧最多容纳 {most} 个像素。"
    ),
    " (pad)": "(填充)",
    " + output padding": " + 输出填充",
    "No padding ('valid'): the window only stops where it fits inside the input.": (
        "不填充(“有效区域”):窗口只停在完全位于输入内部的位置。"
    ),
    "Hatched cells are padding, read by the '{mode}' border mode: {rule}.": (
        "画斜线的单元格是填充,由“{mode}”边界模式读取:{rule}。"
    ),
    "{pad} The window spans {w} × {h} input cells (dilation {dilation}: its taps sit {dilation} apart) and "
    "moves {step} at a time: the output is {out_w} × {out_h} cells.": (
        "{pad}窗口覆盖 {w} × {h} 个输入单元格(膨胀 {dilation}:取样点相隔 {dilation}),"
        "每次移动 {step}:输出为 {out_w} × {out_h} 个单元格。"
    ),
    "step {i} of {n}: {what}": "第 {i} 步,共 {n} 步:{what}",
    "all {n} steps done": "全部 {n} 步已完成",
    "Left, {left}: {lw} × {lh} cells, grey by value with the values written in them{hatched}. Right, {right}: "
    "{rw} × {rh} cells, {done} filled so far{cropped}. {where}.": (
        "左边,{left}:{lw} × {lh} 个单元格,按数值显示灰度并写有数值{hatched}。右边,{right}:"
        "{rw} × {rh} 个单元格,目前已填 {done} 个{cropped}。{where}。"
    ),
    ", padding hatched": ",填充部分画有斜线",
    ", the cropped border hatched": ",裁掉的边框画有斜线",
    "◀ Previous": "◀ 上一步",
    "Next ▶": "下一步 ▶",
    "{steps} steps, then the finished output ({last}).": "{steps} 步,然后是完成的输出({last})。",
    "▶ Play the whole sweep": "▶ 播放整个过程",
    "An animated picture of every step, to watch or save.": "每一步的动画图片,可观看或保存。",
    "Drawing the animation…": "正在绘制动画……",
    "The sweep, animated ({n} frames)": "整个过程的动画({n} 帧)",
    "Download the animation (GIF)": "下载动画(GIF)",
    "Open in the playground": "在游乐场中打开",
    "The playground then filters the whole photo with {kernel}, border '{mode}', stride {stride}, "
    "dilation {dilation}.": "之后卷积核游乐场用 {kernel} 处理整张图片,边界模式“{mode}”,步幅 {stride},膨胀 {dilation}。",
    # -- mystery kernel page (pages/mystery.py, app/mystery_view.py) --------------------------------------------
    "The photo went through a hidden kernel. Type weights into the grid until your result matches: the score "
    "rises as the two pictures get closer and the error map turns white.": (
        "这张图片经过了一个隐藏的卷积核。在权重表中输入权重,直到你的结果与它一致:两张图越接近,得分越高,误差图也越白。"
    ),
    "New puzzle": "新谜题",
    "Solved! Puzzle {seed}'s kernel does the same as yours.": "解开了!谜题 {seed} 的卷积核与你的效果相同。",
    "Hints": "提示",
    "∞ (identical)": "∞(完全相同)",
    "Match: **{db}** (PSNR; {solved} dB or more solves it)": "匹配度:**{db}**(峰值信噪比;达到 {solved} dB 即为解开)",
    "Symmetry: {found}.": "对称性:{found}。",
    "symmetric left-right (a mirror down the middle column)": "左右对称(沿中间一列镜像)",
    "symmetric top-bottom (a mirror across the middle row)": "上下对称(沿中间一行镜像)",
    "left-right opposite (mirrored down the middle column, the sign flips)": "左右相反(沿中间一列镜像后符号相反)",
    "top-bottom opposite (mirrored across the middle row, the sign flips)": "上下相反(沿中间一行镜像后符号相反)",
    "symmetric across the diagonal (top-left to bottom-right)": "沿对角线(左上到右下)对称",
    "the same turned half a turn (180°)": "旋转半圈(180°)后不变",
    "turned half a turn (180°) it changes sign": "旋转半圈(180°)后符号相反",
    "no mirror symmetry": "没有镜像对称",
    "Grid size": "权重表大小",
    "Mystery kernel · puzzle {seed}": "神秘卷积核 · 谜题 {seed}",
    "filtered with the mystery kernel of puzzle {seed}": "经谜题 {seed} 的神秘卷积核处理",
    "Your kernel": "你的卷积核",
    "filtered with your kernel": "经你的卷积核处理",
    "Error: yours − mystery · {legend}": "误差:你的 − 神秘的 · {legend}",
    "Error map, your result minus the mystery result": "误差图,你的结果减去神秘卷积核的结果",
    "Show a hint ({n} of {total})": "显示提示(第 {n} 条,共 {total} 条)",
    "Reveal the mystery kernel": "揭晓神秘卷积核",
    "Random weights (puzzle {seed})": "随机权重(谜题 {seed})",
    ": ": ":",
    "Share this puzzle: the address bar holds its link (`{link}`), the puzzle number and the photo, never the "
    "weights.": "分享这个谜题:地址栏中就是它的链接(`{link}`),包含谜题编号和图片,但不含权重。",
    " Your own photo stays with you: a friend gets the puzzle on the default photo.": (
        "你自己的图片只留在你这里:朋友打开时,谜题使用默认图片。"
    ),
    # -- fit a kernel page (pages/fit.py, app/fit_view.py) -------------------------------------------------------
    "Which kernel turns the before picture into the after one? Each output pixel is a weighted sum of its "
    "neighbourhood, so the weights solve a least-squares problem: one equation per pixel, one unknown per "
    "weight. A CNN finds its kernels the same way, by descending the same error step by step.": (
        "哪个卷积核把“之前”的图片变成了“之后”的图片?每个输出像素都是其邻域的加权和,所以权重是一个最小二乘问题的解:"
        "每个像素一个方程,每个权重一个未知数。CNN 也用同样的方法找到它的卷积核:沿着同一个误差一步步下降。"
    ),
    "The least-squares kernel": "最小二乘卷积核",
    "Kernel size (width = height)": "卷积核尺寸(宽 = 高)",
    "Odd sizes only, so the kernel has a centre. Too small cannot express the filter; too large fits noise.": (
        "只能是奇数,这样卷积核才有中心。太小无法表达这个滤镜;太大会拟合噪声。"
    ),
    "Fit an offset too": "同时拟合偏移",
    "A constant added after the kernel, as GIMP, Photoshop and Pillow can add (e.g. mid-grey 127.5 for edge "
    "finders).": "卷积核之后加上的常数,GIMP、Photoshop 和 Pillow 都可以加(例如边缘检测用中灰 127.5)。",
    "Fitted {size} ({name})": "拟合的 {size}({name})",
    "Train it like a CNN": "像 CNN 一样训练它",
    "Start from zeros (or noise) and let an optimiser walk downhill on the same error, the mean squared "
    "difference between after and prediction, as a network learns its first layer. As a CNN's inputs are, the "
    "pictures are divided by 255 (and with an offset, their mean is subtracted, the offset becoming the bias). "
    "Watch the loss fall and the weights settle on the least-squares answer; a learning rate too large makes the "
    "loss blow up.": (
        "从零(或噪声)开始,让优化器在同一个误差上一路下坡:误差是“之后”与预测之差的均方值,就像网络学习它的第一层。"
        "和 CNN 的输入一样,图片先除以 255(拟合偏移时还要减去均值,偏移就成了偏置)。"
        "看着损失下降、权重逐渐落到最小二乘的答案上;学习率太大会让损失爆炸。"
    ),
    "Mystery {n} · {photo}": "神秘 {n} · {photo}",
    "A sample pair": "示例图片对",
    "Upload a before and an after": "上传“之前”和“之后”的图片",
    "SGD with momentum 0.9": "带动量 0.9 的随机梯度下降",
    "zeros": "零",
    "random noise (seed 0)": "随机噪声(种子 0)",
    "The before picture is in colour and the other gray: its luminance is used.": (
        "“之前”的图片是彩色的,另一张是灰度:使用它的亮度。"
    ),
    "The after picture is in colour and the other gray: its luminance is used.": (
        "“之后”的图片是彩色的,另一张是灰度:使用它的亮度。"
    ),
    "The kernel explains the after picture up to rounding to whole grey levels.": (
        "除了取整到整数灰度级的误差,这个卷积核完全解释了“之后”的图片。"
    ),
    "A close fit: the remaining error may be a bigger kernel, rounding or a step that is not a kernel.": (
        "拟合得很好:剩下的误差可能来自更大的卷积核、取整,或某个不是卷积核的处理步骤。"
    ),
    "A rough fit: try a bigger kernel or an offset; the after picture may not be one kernel's work.": (
        "拟合得比较粗糙:试试更大的卷积核或加上偏移;“之后”的图片可能不是单个卷积核的结果。"
    ),
    "A poor fit: the after picture is probably not a kernel's work (a resize, curves, a crop?).": (
        "拟合得很差:“之后”的图片可能不是卷积核的结果(缩放、曲线、裁剪?)。"
    ),
    "{n} pixel values fitted": "拟合了 {n} 个像素值",
    " (a seeded sample of the photo)": "(图片的固定种子抽样)",
    ", {n} left out because the after picture is 0 or 255 there (maybe clipped)": (
        ",{n} 个被排除,因为“之后”的图片在那里是 0 或 255(可能被截断)"
    ),
    " The photo has too little detail to pin every weight down.": "图片的细节太少,不足以确定每个权重。",
    "{verdict} {used}.{extra}": "{verdict}{used}。{extra}",
    "Line chart of the training loss (mean squared error, grey levels squared) over {steps} steps, "
    "log scale: from {first} at step {start} to {last} at step {steps}.": (
        "训练损失(均方误差,灰度级的平方)在 {steps} 步中的折线图,对数刻度:从第 {start} 步的 {first} "
        "到第 {steps} 步的 {last}。"
    ),
    "loss (grey levels²)": "损失(灰度级²)",
    "loss": "损失",
    "Step {step}: the loss blew up (the weights overshoot further at every step): the learning rate is "
    "too large for this photo. Lower it and start again.": (
        "第 {step} 步:损失爆炸了(权重每一步都越冲越远):对这张图片来说学习率太大。请调低学习率后重新开始。"
    ),
    "Step {step} · loss {loss} grey levels² (RMS {rms}) · least squares: {best} · largest weight difference "
    "from the least-squares kernel: {gap}": (
        "第 {step} 步 · 损失 {loss} 灰度级²(均方根 {rms})· 最小二乘:{best} · 与最小二乘卷积核的最大权重差:{gap}"
    ),
    "{name} is over the {mb} MB upload limit.": "{name} 超过了 {mb} MB 的上传上限。",
    "Pictures": "图片",
    "Sample pair": "示例图片对",
    "A sample photo filtered with a kernel from the catalogue that is not shown: find it.": (
        "一张示例图片经过了目录中某个未显示的卷积核的处理:把它找出来。"
    ),
    "For instance a photo and the same photo after a filter in GIMP (Filters ▸ Generic ▸ Convolution "
    "Matrix), Photoshop (Filter ▸ Other ▸ Custom) or the playground, saved as PNG: same size, not cropped or "
    "resized. The files stay in memory, never on disk.": (
        "例如一张图片,以及同一张图片在 GIMP(滤镜 ▸ 通用 ▸ 卷积矩阵)、Photoshop(滤镜 ▸ 其它 ▸ 自定)"
        "或卷积核游乐场中处理后的结果,存为 PNG:尺寸相同,没有裁剪或缩放。文件只保存在内存中,不会写入磁盘。"
    ),
    "Before (up to {mb} MB)": "之前(最大 {mb} MB)",
    "After (up to {mb} MB)": "之后(最大 {mb} MB)",
    "Upload both pictures to fit a kernel.": "上传两张图片才能拟合卷积核。",
    "before": "之前",
    "after": "之后",
    "after the hidden kernel": "经隐藏卷积核处理之后",
    "Before": "之前",
    "After": "之后",
    "Fitted kernel · {size}": "拟合的卷积核 · {size}",
    "fitted": "拟合的卷积核",
    "RMS error": "均方根误差",
    "Root mean square of after − prediction, in grey "
    "levels, over the pixels fitted. Rounding to whole grey levels alone gives about 0.29.": (
        "拟合像素上“之后 − 预测”的均方根,单位为灰度级。仅仅取整到整数灰度级就会带来约 0.29 的误差。"
    ),
    "The share of the after picture's variation the kernel explains.": "卷积核所能解释的“之后”图片变化的比例。",
    "A constant added after the kernel, in grey levels (fitted when the box is ticked).": (
        "卷积核之后加上的常数,单位为灰度级(勾选时拟合)。"
    ),
    "Residual: after − prediction · {size}": "残差:之后 − 预测 · {size}",
    " (the centre of the photo)": "(图片中心部分)",
    "Residual map of the fit, after minus prediction, {name}": "拟合的残差图,之后减去预测,{name}",
    "White: the kernel predicts the after picture there; {positive}: after is brighter than "
    "predicted, {negative}: darker. The border of the kernel's half-size is not fitted (the other "
    "tool's border handling is unknown; Pillow leaves it unfiltered).": (
        "白色:卷积核在那里准确预测了“之后”的图片;{positive}:“之后”比预测亮;{negative}:更暗。"
        "宽度为卷积核一半的边框不参与拟合(另一个工具如何处理边界未知;Pillow 对边框不做滤波)。"
    ),
    "The playground then filters with “{title}” as a custom kernel, divisor 1 and offset {offset}.": (
        "之后卷积核游乐场用“{title}”作为自定义卷积核来滤波,除数 1,偏移 {offset}。"
    ),
    "Reveal the hidden kernel": "揭晓隐藏的卷积核",
    ", offset {offset}": ",偏移 {offset}",
    "Largest difference between the fitted and the hidden weights: {gap}.": "拟合权重与隐藏权重的最大差:{gap}。",
    "The hidden kernel is {size}: fit that size to find it exactly (a {fitted} kernel can only approximate it).": (
        "隐藏的卷积核是 {size}:拟合这个尺寸才能准确找到它({fitted} 的卷积核只能近似它)。"
    ),
    "Learning rate": "学习率",
    "Steps per run": "每次运行的步数",
    "Optimiser": "优化器",
    "Start from": "起点",
    "Step": "单步",
    "One step of the optimiser.": "优化器走一步。",
    "Run {n} steps": "运行 {n} 步",
    "Start again": "重新开始",
    "Training stops at {n} steps: start again to try other settings.": "训练在 {n} 步时停止:重新开始可尝试其他设置。",
    "Kernel at step {step}": "第 {step} 步的卷积核",
    "being learnt, step {step}": "学习中,第 {step} 步",
}

# The kernel catalogue (imgkernel.catalogue): title, category, summary, explanation, param.<name>.label/.help.
_CATEGORIES = {
    "Basics": "基础",
    "Sharpen": "锐化",
    "Blur": "模糊",
    "Stylise": "风格化",
    "Edges": "边缘",
    "Texture": "纹理",
}
_SIZE = {"label": "尺寸(像素)"}
_SIGMA = {"label": "扩散(sigma,像素)"}
_SIZE_HELP = {"label": "尺寸(像素)", "help": "卷积核的宽和高。"}
_SIGMA_HELP = {"label": "扩散(sigma,像素)", "help": "越大,权重分布得越远。"}


def _params(**params: dict[str, str]) -> dict[str, str]:
    return {f"param.{p}.{field}": text for p, fields in params.items() for field, text in fields.items()}


def _kernel(title: str, category: str, summary: str, explanation: str, **params: dict[str, str]) -> dict[str, str]:
    return {
        "title": title,
        "category": _CATEGORIES[category],
        "summary": summary,
        "explanation": explanation,
        **_params(**params),
    }


# The directional edge finders (Sobel, Prewitt, Scharr × top, bottom, left, right) share one sentence pattern.
_SIDES = {  # direction: (title prefix, added side, subtracted side, line, brighter, darker, edges lit, opposite)
    "top": (
        "上",
        "中心上方的一行",
        "中心下方的一行",
        "水平",
        "上方",
        "下方",
        "亮物体的下边缘和暗物体的上边缘",
        "bottom",
    ),
    "bottom": (
        "下",
        "中心下方的一行",
        "中心上方的一行",
        "水平",
        "下方",
        "上方",
        "亮物体的上边缘和暗物体的下边缘",
        "top",
    ),
    "left": (
        "左",
        "中心左侧的一列",
        "中心右侧的一列",
        "竖直",
        "左侧",
        "右侧",
        "亮物体的右边缘和暗物体的左边缘",
        "right",
    ),
    "right": (
        "右",
        "中心右侧的一列",
        "中心左侧的一列",
        "竖直",
        "右侧",
        "左侧",
        "亮物体的左边缘和暗物体的右边缘",
        "left",
    ),
}
_FAMILIES = {
    "sobel": ("索贝尔", "(默认权重 1、2、1:与中心对齐的单元格计两次)"),
    "prewitt": ("Prewitt", "(权重 1、1、1:三个单元格同等计数,而索贝尔把中间的计两次)"),
    "scharr": ("Scharr", "(权重 3、10、3,使响应比索贝尔更少依赖边缘的角度)"),
}


def _directional(family: str, side: str) -> dict[str, str]:
    name, weights = _FAMILIES[family]
    prefix, added, subtracted, line, bright, dark, lit, opposite = _SIDES[side]
    middle = "中间一行" if line == "水平" else "中间一列"
    space = " " if name.isascii() else ""  # 上索贝尔, but 上 Prewitt
    other = f"{_SIDES[opposite][0]}{space}{name}"
    entry = _kernel(
        f"{prefix}{space}{name}",
        "Edges",
        f"点亮{bright}比{dark}更亮的边缘。",
        f"{added}相加,{subtracted}相减{weights};{middle}计 0,所以在平坦区域两侧相互抵消。"
        f"{bright}比{dark}更亮的{line}边缘给出较大的正值而被点亮:即{lit}。相反的边缘({dark}比{bright}更亮)"
        f"给出负值,截断后变黑,所以每条边缘只在一侧显示;选择显示绝对值可同时看到两侧"
        f"(此时{prefix}{space}{name}看起来和{other}一样)。",
    )
    if family == "sobel":
        entry.update(_params(base={"label": "边权重", "help": "角上的权重取它的一半。"}))
    return entry


KERNELS: dict[str, dict[str, str]] = {
    "identity": _kernel(
        "恒等",
        "Basics",
        "图像保持不变。",
        "只有中心权重不为 0,所以每个输出像素都是其下方输入像素的拷贝。中心大于 1 变亮,小于 1 变暗。",
        iden={"label": "中心权重"},
    ),
    "sharpen": _kernel(
        "锐化",
        "Sharpen",
        "增强相邻像素之间的差异。",
        "中心计五次,上下左右四个相邻像素各减一次。在平坦区域权重之和为 1,什么也不变;某个像素与相邻像素"
        "不同之处,差异被放大,所以边缘和纹理看起来更清晰。",
        inner={"label": "中心权重"},
        edge={"label": "相邻权重"},
    ),
    "blur": _kernel(
        "模糊(3 × 3 高斯)",
        "Blur",
        "把每个像素与相邻像素加权平均,使图像变柔和。",
        "每个输出像素都是加权平均:中心计得最多,边上一半,角上四分之一。权重之和为 1,所以亮度保持不变,而细节被平滑掉。",
        inner={"label": "中心权重"},
        edge={"label": "边权重"},
        corner={"label": "角权重"},
    ),
    "emboss": _kernel(
        "浮雕",
        "Stylise",
        "让图像看起来像雕刻出来的,光从左上方照来。",
        "中心左上方的像素相减,右下方的相加,所以该方向上的亮度台阶变成高光或阴影;权重之和为 1,所以平坦区域保持原值。",
        diag={"label": "对角权重"},
        iden={"label": "中心和侧边权重"},
    ),
    "outline": _kernel(
        "轮廓",
        "Edges",
        "找出各个方向的边缘;平坦区域变黑。",
        "中心计 8,周围八个相邻像素各计 -1:权重之和为 0,所以平坦区域得 0(黑色),只有与周围不同之处才会亮起。",
        inner={"label": "中心权重"},
        outer={"label": "相邻权重"},
    ),
    **{f"{family}_{side}": _directional(family, side) for family in _FAMILIES for side in _SIDES},
    "box_blur": _kernel(
        "方框模糊",
        "Blur",
        "用周围一个正方形的简单平均代替每个像素。",
        "N × N 正方形的每个单元格权重相同,都是 1/(N × N),所以输出就是正方形内的平均值。权重之和为 1,"
        "亮度保持不变,但比正方形小的细节会消失。因为所有相邻像素同等计数,亮点会变成小方块。",
        size=_SIZE,
    ),
    "gaussian": _kernel(
        "高斯模糊",
        "Blur",
        "权重呈钟形分布的平滑、自然的模糊。",
        "权重遵循钟形曲线:中心最大,随距离平滑衰减,由 sigma 控制。权重缩放到和为 1,所以亮度保持不变。"
        "因为没有生硬的截止,亮点会变成柔和的圆斑而不是方块。尺寸取约 6 × sigma 才能容纳整个钟形。",
        size=_SIZE_HELP,
        sigma=_SIGMA_HELP,
    ),
    "motion_blur": _kernel(
        "运动模糊",
        "Blur",
        "沿一条直线拖影,好像相机在移动。",
        "权重分布在一条指定长度和角度的直线上(0 度 = 水平,逆时针旋转),和为 1,所以每个输出像素是这条线上"
        "像素的平均:正是相机在曝光期间移动这么远时记录下的结果。直线经过抗锯齿处理,任何角度都很平滑。",
        length={"label": "长度(像素)"},
        angle={"label": "角度(度)"},
    ),
    "unsharp_mask": _kernel(
        "USM 锐化(反锐化掩模)",
        "Sharpen",
        "摄影师的锐化方法:把模糊去掉的细节加回来。",
        "高斯模糊只保留大致的形状,所以原图减去模糊就是细节。把细节加回“数量”倍使其增强:卷积核 = 恒等 + "
        "数量 × (恒等 − 高斯)。权重之和为 1,所以平坦区域不变。“半径”是模糊的 sigma:半径小锐化细纹理,"
        "半径大增强局部对比度。",
        amount={"label": "数量"},
        radius={"label": "半径(sigma,像素)"},
    ),
    "highpass_box": _kernel(
        "高通(方框)",
        "Edges",
        "只保留细节:原图减去其方框模糊。",
        "方框模糊保留亮度的缓慢变化;从原图中减去它,剩下变化快的部分:边缘和纹理。权重之和为 0,所以平坦区域得 0;"
        "建议的偏移 127.5 把它们显示为中灰,细节在其上下变亮或变暗。",
        size=_SIZE,
    ),
    "highpass_gaussian": _kernel(
        "高通(高斯)",
        "Edges",
        "只保留细节:原图减去其高斯模糊。",
        "与方框高通类似,但减去的是高斯模糊,去掉大致形状而不产生方块瑕疵。权重之和为 0;建议的偏移 127.5 "
        "把平坦区域显示为中灰。",
        size=_SIZE_HELP,
        sigma=_SIGMA_HELP,
    ),
    "laplacian_4": _kernel(
        "拉普拉斯(4 邻域)",
        "Edges",
        "度量像素与上下左右 4 个相邻像素在各个方向上的差异。",
        "上下左右四个相邻像素相加,中心减 4 次:在平坦区域和平滑渐变上结果为 0,只有亮度弯折之处(即边缘和细节)"
        "才大(这是离散的二阶导数)。每条边缘给出一对符号相反的响应,所以建议的偏移 127.5 把 0 显示为中灰,"
        "边缘两侧都能看到。",
    ),
    "laplacian_8": _kernel(
        "拉普拉斯(8 邻域)",
        "Edges",
        "度量像素与周围 8 个相邻像素在各个方向上的差异。",
        "周围所有相邻像素(含对角)相加,中心减 8 次:在平坦区域和平滑渐变上结果为 0,只有亮度弯折之处"
        "(即边缘和细节)才大(这是离散的二阶导数)。每条边缘给出一对符号相反的响应,所以建议的偏移 127.5 "
        "把 0 显示为中灰,边缘两侧都能看到。",
    ),
    "ridge_4": _kernel(
        "脊线 / 边缘检测(4 邻域)",
        "Edges",
        "点亮比周围更亮的细线和边缘。",
        "经典的“边缘检测”卷积核:中心计 4,四个相邻像素各计 -1(即反过来的拉普拉斯)。权重之和为 0,"
        "所以平坦区域变黑,只有比相邻像素更亮的像素(如亮的细线和边缘的亮侧)才会亮起。",
    ),
    "ridge_8": _kernel(
        "脊线 / 边缘检测(8 邻域)",
        "Edges",
        "点亮比周围更亮的细线和边缘。",
        "经典的“边缘检测”卷积核:中心计 8,八个相邻像素各计 -1(即反过来的拉普拉斯)。权重之和为 0,"
        "所以平坦区域变黑,只有比相邻像素更亮的像素(如亮的细线和边缘的亮侧)才会亮起。",
    ),
    "log": _kernel(
        "高斯拉普拉斯(LoG)",
        "Edges",
        "找出指定大小的边缘和斑点,忽略细小的噪声。",
        "先用高斯模糊去掉小于 sigma 的细节,再用拉普拉斯找出亮度弯折之处;两步合成一个“墨西哥帽”形的卷积核"
        "(中心为负,外圈为正)。它被调整为和恰好为 0,所以平坦区域得 0,并按 4 邻域拉普拉斯的幅度缩放。"
        "建议的偏移 127.5 把平坦区域显示为中灰。尺寸取约 6 × sigma 或更大。",
        size=_SIZE,
        sigma=_SIGMA,
    ),
    "gabor": _kernel(
        "Gabor 滤波器",
        "Texture",
        "对某一方向和间距的条纹产生响应,就像眼睛里的细胞。",
        "一组条纹波(一个周期 = “波长”个像素,按“角度”旋转)在宽度为 sigma 的钟形曲线下逐渐淡出。图像中有相同"
        "方向和间距的条纹时,乘积全部相加,响应很强;其他地方则相互抵消。“纵横比”小于 1 使条纹更长。卷积核被调整"
        "为均值为 0,所以平坦区域得 0(建议的偏移 127.5 显示为中灰),其正权重之和为 1。成组的这种滤波器是大脑"
        "初级视觉皮层的模型,也很像许多训练好的 CNN 的第一层。",
        theta={"label": "角度(度)"},
        sigma=_SIGMA,
        wavelength={"label": "波长(像素)"},
        aspect={"label": "纵横比(gamma)"},
        size=_SIZE,
    ),
    "emboss_angle": _kernel(
        "浮雕(任意角度)",
        "Stylise",
        "光从你选择的角度照来的浮雕。",
        "光照来一侧的相邻像素相减,远侧的相加,按它们沿光线方向的距离成比例;中心保持权重 1,所以权重之和为 1,"
        "平坦区域保持亮度。角度:0 = 光从右边来,90 = 从上方来,逆时针;135 度、强度 1 恰好是经典浮雕。",
        angle={"label": "光照方向(度)"},
        strength={"label": "强度"},
    ),
}

# Messages built in English elsewhere (the library's errors, the state's problems, a link's notices): a regular
# expression matching the whole English message -> its Chinese template. Groups named ``msg...`` hold another
# message and are translated in turn; other groups (names, numbers) are copied as they are.
PATTERNS: dict[str, str] = {
    # the memory budget's queue (app.budget.queued_message)
    r"Queued: 1 big job \(an export or a photo being opened\) is using the server's memory before yours\. "
    r"(?P<msgthen>.*)": "排队中:有 1 个大任务(导出或正在打开的图片)在你之前占用服务器内存。{msgthen}",
    r"Queued: (?P<n>\d+) big jobs \(exports or photos being opened\) are using the server's memory before "
    r"yours\. (?P<msgthen>.*)": "排队中:有 {n} 个大任务(导出或正在打开的图片)在你之前占用服务器内存。{msgthen}",
    r"(?P<name>.+) is opened as soon as there is room\.": "一有空间就打开 {name}。",
    # fitting a kernel (imgkernel.fit)
    r"The two images differ in size \((?P<w1>\d+) × (?P<h1>\d+) and (?P<w2>\d+) × (?P<h2>\d+) px\): the after "
    r"image must be the before image filtered, same size \(not cropped or resized\)\.": (
        "两张图片尺寸不同({w1} × {h1} 和 {w2} × {h2} px):“之后”的图片必须是“之前”的图片经过滤波的结果,"
        "尺寸相同(没有裁剪或缩放)。"
    ),
    r"A (?P<kw>\d+) × (?P<kh>\d+) kernel does not fit in the (?P<w>\d+) × (?P<h>\d+) px photo; choose a smaller "
    r"kernel\.": "{kw} × {kh} 的卷积核放不进 {w} × {h} px 的图片;请选择更小的卷积核。",
    r"Only (?P<m>\d+) usable pixel values for (?P<p>\d+) unknowns \(the others are 0 or 255 in the after image: "
    r"maybe clipped\); use a larger photo or a smaller kernel\.": (
        "只有 {m} 个可用的像素值,却有 {p} 个未知数(其余的在“之后”的图片中是 0 或 255:可能被截断);"
        "请使用更大的图片或更小的卷积核。"
    ),
    r"Only (?P<m>\d+) usable pixel values for (?P<p>\d+) unknowns; use a larger photo or a smaller kernel\.": (
        "只有 {m} 个可用的像素值,却有 {p} 个未知数;请使用更大的图片或更小的卷积核。"
    ),
    # the mystery kernel's hints (imgkernel.puzzle.hints; the symmetries are translated by app.mystery_view)
    r"The kernel is (?P<c>\d+) × (?P<r>\d+)\.": "卷积核大小为 {c} × {r}。",
    r"Its weights (?P<msgwhat>sum to .+)\.": "它的权重{msgwhat}。",
    r"sum to 0, so flat areas go black and only edges show": "之和为 0,所以平坦区域变黑,只显示边缘",
    r"sum to 1, so flat areas keep their brightness": "之和为 1,所以平坦区域保持原有亮度",
    r"sum to (?P<t>\S+): negative, so flat areas go black \(clipped below 0\)": (
        "之和为 {t}:为负,所以平坦区域变黑(小于 0 的值被截断)"
    ),
    r"sum to (?P<t>\S+), so flat areas get (?P<t2>\S+) times brighter": "之和为 {t},所以平坦区域的亮度变为 {t2} 倍",
    r"Its largest weight in size is (?P<v>\S+), in row (?P<r>\d+), column (?P<c>\d+)\.": (
        "绝对值最大的权重是 {v},位于第 {r} 行、第 {c} 列。"
    ),
    r"(?P<msg>.+) Your previous guess stays\.": "{msg}你之前的猜测保留不变。",
    # the pixel walkthrough's note on coordinates (imgkernel.walkthrough.coordinates_note)
    r"'valid' mode pads nothing, so output pixel \(row (?P<r>\d+), column (?P<c>\d+)\) uses the window whose "
    r"top-left input pixel is \(row (?P<r1>\d+) × (?P<s>\d+), column (?P<c1>\d+) × (?P<s1>\d+)\) = "
    r"\(row (?P<ir>\d+), column (?P<ic>\d+)\); the window covers (?P<w>\d+) × (?P<h>\d+) input pixels "
    r"\(width × height\), so the output is smaller than the input by (?P<dc>\d+) columns and (?P<dr>\d+) rows "
    r"\(then divided by the stride\)\.": (
        "“有效区域”模式不做填充,所以输出像素(第 {r} 行,第 {c} 列)使用的窗口左上角的输入像素是"
        "(第 {r1} × {s} 行,第 {c1} × {s1} 列)=(第 {ir} 行,第 {ic} 列);窗口覆盖 {w} × {h} 个输入像素(宽 × 高),"
        "所以输出比输入少 {dc} 列和 {dr} 行(然后再除以步幅)。"
    ),
    r"Output pixel \(row (?P<r>\d+), column (?P<c>\d+)\) is centred on input pixel \(row (?P<ir>\d+), column "
    r"(?P<ic>\d+)\) \(stride (?P<s>\d+): every (?P<s1>\d+)th input pixel\)\. Taps that fall outside the image read "
    r"the '(?P<msgmode>\w+)' border: (?P<msgrule>.+)\.": (
        "输出像素(第 {r} 行,第 {c} 列)以输入像素(第 {ir} 行,第 {ic} 列)为中心(步幅 {s}:每隔 {s1} 个输入像素)。"
        "落在图像之外的位置读取“{msgmode}”边界:{msgrule}。"
    ),
    r"Output pixel \(row (?P<r>\d+), column (?P<c>\d+)\) is centred on input pixel \(row (?P<ir>\d+), column "
    r"(?P<ic>\d+)\)\. Taps that fall outside the image read the '(?P<msgmode>\w+)' border: (?P<msgrule>.+)\.": (
        "输出像素(第 {r} 行,第 {c} 列)以输入像素(第 {ir} 行,第 {ic} 列)为中心。"
        "落在图像之外的位置读取“{msgmode}”边界:{msgrule}。"
    ),
    # the state's wrappers around a reason
    r"(?P<msg>.+) The previous kernel stays in use\.": "{msg}之前的卷积核继续使用。",
    r"(?P<msg>.+) The current kernel stays in use\.": "{msg}当前的卷积核继续使用。",
    r"(?P<msg>.+) The last valid divisor \((?P<d>[^)]+)\) stays in use\.": "{msg}上一个有效的除数({d})继续使用。",
    r"(?P<msg>.+) The last good photo stays\.": "{msg}上一张可用的图片保留不变。",
    r"(?P<name>.+) is over the (?P<mb>\d+) MB upload limit\. The last good photo stays\.": (
        "{name} 超过了 {mb} MB 的上传上限。上一张可用的图片保留不变。"
    ),
    r"Whole numbers stay off: (?P<msg>.+)\. The kernel is unchanged\.": "整数模式保持关闭:{msg}。卷积核不变。",
    r"the offset (?P<v>\S+) is not a whole number": "偏移 {v} 不是整数",
    r"no multiplier up to 9999 makes these weights whole": "乘以 9999 以内的任何数都不能使这些权重变为整数",
    r"as whole numbers the weights would reach (?P<v>\S+)": "化为整数后权重将达到 {v}",
    r"The (?P<msgwhat>weights|divisor and offset) must be whole numbers while \*Whole numbers\* is on "
    r"\(turn it off to type fractions\)\.": "打开“整数”时,{msgwhat}必须是整数(关闭它才能输入分数)。",
    r"weights": "权重",
    r"divisor and offset": "除数和偏移",
    r"There is no kernel called (?P<name>.+)\.": "没有名为 {name} 的卷积核。",
    r"The kernel is too big: at most (?P<n>\d+) x (?P<m>\d+) cells\.": "卷积核太大:最多 {n} x {m} 个单元格。",
    r"The (?P<msgwhat>divisor|offset|constant) must be between (?P<lo>\S+) and (?P<hi>\S+)\.": (
        "{msgwhat}必须介于 {lo} 和 {hi} 之间。"
    ),
    r"constant": "常数值",
    r"divisor": "除数",
    r"offset": "偏移",
    r"(?P<msgwhat>Mode|Stride|Dilation|True convolution|Gray|Linear|Cval) cannot be (?P<v>.+)\.": (
        "{msgwhat}不能为 {v}。"
    ),
    r"Mode": "边界模式",
    r"True convolution": "真卷积",
    r"Gray": "灰度",
    r"Linear": "线性光",
    r"Cval": "常数值",
    r"Some settings in the link were ignored: (?P<msglist>.+)": "链接中的部分设置被忽略:{msglist}",
    # a file name before the reason (uploads, kernel files)
    r"(?P<name>[^:]+\.[A-Za-z0-9]{2,5}): (?P<msg>.+)": "{name}:{msg}",
    # imgkernel: kernels, cells, divisors
    r"The divisor cannot be 0; use 1 to leave the values as they are\.": "除数不能为 0;用 1 可保持数值不变。",
    r"The divisor must be at least (?P<v>\S+) in size \(got (?P<got>.+)\)\.": "除数的绝对值至少为 {v}(收到 {got})。",
    r"The (?P<msgwhat>cell|divisor|offset)(?: (?P<msgwhere>in row \d+, column \d+))? is empty; type a number\.": (
        "{msgwhat}{msgwhere}为空;请输入一个数。"
    ),
    r"The (?P<msgwhat>cell|divisor|offset)(?: (?P<msgwhere>in row \d+, column \d+))? holds (?P<v>.+), which is not "
    r"a number\.": "{msgwhat}{msgwhere}的 {v} 不是数。",
    r"The (?P<msgwhat>cell|divisor|offset)(?: (?P<msgwhere>in row \d+, column \d+))? is too large: it must be "
    r"between (?P<lo>\S+) and (?P<hi>\S+)\.": "{msgwhat}{msgwhere}太大:必须介于 {lo} 和 {hi} 之间。",
    r"in row (?P<r>\d+), column (?P<c>\d+)": "(第 {r} 行,第 {c} 列)",
    r"cell": "单元格",
    r"(?P<msglabel>.+) must be between (?P<lo>\S+) and (?P<hi>\S+) \(got (?P<v>.+)\)\.": (
        "{msglabel}必须介于 {lo} 和 {hi} 之间(收到 {v})。"
    ),
    r"(?P<msglabel>.+) must be a whole number \(got (?P<v>.+)\)\.": "{msglabel}必须是整数(收到 {v})。",
    r"(?P<msglabel>.+) must be a number \(got (?P<v>.+)\)\.": "{msglabel}必须是一个数(收到 {v})。",
    r"The (?P<msgwhat>divisor|offset|constant|cell)": "{msgwhat}",
    r"The kernel is empty; it needs at least one row and one column\.": "卷积核是空的;至少需要一行一列。",
    r"The kernel contains a value that is not a finite number \(NaN or infinity\)\.": (
        "卷积核含有不是有限数的值(NaN 或无穷大)。"
    ),
    r"A kernel must be a non-empty 2-D grid of finite numbers\.": "卷积核必须是非空的二维有限数表格。",
    r"Every row of the kernel must have the same number of cells\.": "卷积核的每一行必须有相同数目的单元格。",
    r"Every row of the kernel must have the same number of cells\. Row 1 has (?P<a>\d+) cells and row (?P<k>\d+) "
    r"has (?P<b>\d+)\.": "卷积核的每一行必须有相同数目的单元格。第 1 行有 {a} 个,第 {k} 行有 {b} 个。",
    # the kernel editor: what a client sent, and pasted matrices
    r"The editor sent something that is not a kernel edit; nothing was changed\.": (
        "编辑器发来的内容不是对卷积核的修改;没有任何改变。"
    ),
    r"The pasted text is not a kernel: (?P<msg>.+)": "粘贴的文本不是卷积核:{msg}",
    r"The guess must be (?P<sides>.+); the pasted matrix is (?P<c>\d+) × (?P<r>\d+)\.": (
        "猜测必须是 {sides};粘贴的矩阵是 {c} × {r}。"
    ),
    r"The pasted matrix must be text\.": "粘贴的矩阵必须是文本。",
    r"The pasted text is too long \(over (?P<n>[\d,]+) characters\) to be a kernel\.": (
        "粘贴的文本太长(超过 {n} 个字符),不可能是卷积核。"
    ),
    r"The pasted text is empty; paste a matrix such as (?P<m>.+)\.": "粘贴的文本是空的;请粘贴一个矩阵,例如 {m}。",
    r"The pasted matrix was shortened with '\.\.\.' when it was printed; print it in full \(in NumPy: "
    r"(?P<code>.+)\) and paste it again\.": "粘贴的矩阵在打印时被“...”省略了;请完整打印(NumPy 中:{code})后再粘贴。",
    r"The pasted array\(\.\.\.\) has no closing '\)'; paste the whole of it\.": (
        "粘贴的 array(...) 缺少右括号“)”;请完整粘贴。"
    ),
    r"The brackets are unbalanced or misplaced: a bracketed matrix starts with '\[' and ends with '\]'\.": (
        "括号不配对或位置不对:带括号的矩阵以“[”开头、以“]”结尾。"
    ),
    r"The pasted matrix is nested too deeply: a kernel is 2-D, e\.g\. (?P<m>.+)\.": (
        "粘贴的矩阵嵌套太深:卷积核是二维的,例如 {m}。"
    ),
    r"The brackets are unbalanced: a '\]' closes nothing\.": "括号不配对:有一个“]”没有对应的“[”。",
    r"The brackets are unbalanced: a '\]' is missing at the end\.": "括号不配对:末尾缺少一个“]”。",
    r"There is text after the matrix's closing '\]': (?P<rest>.+)\.": "矩阵的右括号“]”之后还有文本:{rest}。",
    r"Between the rows of a \[\[\.\.\.\], \[\.\.\.\]\] matrix there may only be one comma, but there is "
    r"(?P<shown>.+); put every row in its own brackets\.": (
        "[[...], [...]] 矩阵的行与行之间只能有一个逗号,但这里是 {shown};请把每一行放进自己的括号里。"
    ),
    # Photoshop .acf files
    r"The file's scale is 0; Photoshop divides by the scale, so it must be 1 to 9999\.": (
        "文件的缩放为 0;Photoshop 要除以缩放,所以它必须是 1 到 9999。"
    ),
    r"The file's scale is (?P<v>\S+); Photoshop's scale goes from 1 to (?P<hi>\d+)\.": (
        "文件的缩放为 {v};Photoshop 的缩放范围是 1 到 {hi}。"
    ),
    r"The file's offset is (?P<v>\S+); Photoshop's offset goes from (?P<lo>\S+) to (?P<hi>\d+)\.": (
        "文件的位移为 {v};Photoshop 的位移范围是 {lo} 到 {hi}。"
    ),
    r"Every weight in the file is 0: that filter turns every photo to the offset alone\.": (
        "文件中所有权重都是 0:这个滤镜会把任何图片都变成只剩偏移值。"
    ),
    r"Photoshop's Custom filter holds at most 5 × 5 weights; this kernel is (?P<c>\d+) × (?P<r>\d+)\.": (
        "Photoshop 自定滤镜最多容纳 5 × 5 个权重;此卷积核为 {c} × {r}。"
    ),
    # images
    r"(?P<msg>.+) Please choose a (?P<formats>.+) image of at most (?P<size>.+)\.": (
        "{msg}请选择不超过 {size} 的 {formats} 图片。"
    ),
    r"The image claims to be enormous \(a possible decompression bomb\); it was not decoded\.": (
        "这张图片声称尺寸极大(可能是解压炸弹);未解码。"
    ),
    r"The image is too large to decode in the memory available\.": "图片太大,可用内存不足以解码。",
    r"This file is (?P<what>.+), not an image\.": "这个文件是 {what},不是图片。",
    # share-link notices
    r"(?P<key>\S+): unknown setting\.": "{key}:未知设置。",
    r"(?P<key>\S+): no such kernel\.": "{key}:没有这个卷积核。",
    r"(?P<key>\S+): no such sample photo\.": "{key}:没有这张示例图片。",
    r"(?P<key>\S+): not one of (?P<choices>.+)\.": "{key}:不是 {choices} 之一。",
    r"(?P<key>\S+): must be a whole number from 1 to (?P<top>\d+)\.": "{key}:必须是 1 到 {top} 之间的整数。",
    r"(?P<key>\S+): must be 1 or 0\.": "{key}:必须是 1 或 0。",
}

# A parameter's label also appears inside the library's messages ("Centre weight must be between ..."): the
# same Chinese label there.
for _spec in CATALOGUE.values():
    for _p in _spec.params:
        MESSAGES.setdefault(_p.label, KERNELS[_spec.name][f"param.{_p.name}.label"])
